#pragma once
// Rendering the row model's plain values as PostgreSQL text: timestamps, vectors, enclosure
// JSON (JSON strings: common/base/json_text.hpp); array literals are common/pg's.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/pg/array_literal.hpp"
#include "services/loader/rows.hpp"

namespace tributary::loader {

using pg::ArrayLiteral;

// 2026-11-23 18:47:37.123456+00 from seconds and nanoseconds since the epoch (UTC).
std::string TimestampText(std::int64_t seconds, std::int32_t nanos);
// The same from microseconds since the epoch.
std::string TimestampText(std::int64_t micros);
std::optional<std::string> TimestampText(const std::optional<std::int64_t>& micros);

// [{"url":..,"type":..,"length":..}]: an item's enclosures as the jsonb column holds them.
std::string EnclosuresJson(const std::vector<Enclosure>& enclosures);

// [{"name":..,"email":..,"uri":..}]: people as the jsonb columns (items.author_details,
// feeds.authors) hold them.
std::string PeopleJson(const std::vector<Person>& people);

}  // namespace tributary::loader
