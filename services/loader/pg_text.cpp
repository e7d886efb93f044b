#include "services/loader/pg_text.hpp"

#include <fmt/format.h>

#include <ctime>

#include "common/base/json_text.hpp"

namespace tributary::loader {

std::string TimestampText(std::int64_t seconds, std::int32_t nanos) {
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nanos / 1000);
}

std::string TimestampText(std::int64_t micros) {
  // Floor division: an instant before the epoch still has a non-negative fraction.
  std::int64_t seconds = micros / 1'000'000;
  std::int64_t fraction = micros % 1'000'000;
  if (fraction < 0) {
    fraction += 1'000'000;
    --seconds;
  }
  return TimestampText(seconds, static_cast<std::int32_t>(fraction * 1000));
}

std::optional<std::string> TimestampText(const std::optional<std::int64_t>& micros) {
  if (!micros) return std::nullopt;
  return TimestampText(*micros);
}

std::string EnclosuresJson(const std::vector<Enclosure>& enclosures) {
  std::string out = "[";
  for (std::size_t i = 0; i < enclosures.size(); ++i) {
    const auto& e = enclosures[i];
    fmt::format_to(std::back_inserter(out), "{}{{\"url\":{},\"type\":{},\"length\":{}}}",
                   i > 0 ? "," : "", JsonString(e.url), JsonString(e.type), e.length);
  }
  out += ']';
  return out;
}

std::string PeopleJson(const std::vector<Person>& people) {
  std::string out = "[";
  for (std::size_t i = 0; i < people.size(); ++i) {
    const auto& p = people[i];
    fmt::format_to(std::back_inserter(out), "{}{{\"name\":{},\"email\":{},\"uri\":{}}}",
                   i > 0 ? "," : "", JsonString(p.name), JsonString(p.email), JsonString(p.uri));
  }
  out += ']';
  return out;
}

}  // namespace tributary::loader
