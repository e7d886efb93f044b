#pragma once
// Dates as feeds really write them: RFC 822/1123 (with or without weekday, seconds, zone; two-
// digit years; named zones), RFC 3339 / ISO 8601 (with or without T, fraction, zone; date only),
// and the broken mixtures in between. Everything ends as UTC; a date without a zone is UTC.
#include <cstdint>
#include <optional>
#include <string_view>

namespace tributary::parser {

struct UtcTime {
  std::int64_t seconds = 0;  // since the Unix epoch
  std::int32_t nanos = 0;
  auto operator<=>(const UtcTime&) const = default;
};

std::optional<UtcTime> ParseDate(std::string_view text);
// Whole seconds only (document metadata).
std::optional<std::int64_t> ParseDateSeconds(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12).
std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day);

}  // namespace tributary::parser
