#pragma once
// Rendering values as PostgreSQL text: array literals, timestamps, vectors (JSON strings:
// common/base/json_text.hpp). Arrays
// are how a whole batch travels as one parameter of `INSERT ... SELECT FROM unnest($1::..[])`.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::loader {

// {"a","b",NULL}: every element quoted, so no element text can break the literal.
std::string ArrayLiteral(std::span<const std::optional<std::string>> elements);
std::string ArrayLiteral(std::span<const std::string> elements);

// 2026-11-23 18:47:37.123456+00 from seconds and nanoseconds since the epoch (UTC).
std::string TimestampText(std::int64_t seconds, std::int32_t nanos);

// [0.5,-1,3.25]: the shortest text that round-trips each float (NaN prints as nan, which
// PostgreSQL rejects: that is a data error for that row).
std::string VectorText(std::span<const float> values);

std::string Hex(std::string_view bytes);

}  // namespace tributary::loader
