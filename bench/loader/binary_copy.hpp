#pragma once
// PostgreSQL's binary COPY format, for the benchmark's ceiling: the cheapest way to put rows in
// a table (no conflict check, no parsing of text on the server).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::bench {

class BinaryCopy {
 public:
  BinaryCopy();  // writes the header
  void BeginRow(std::int16_t fields);
  void Null();
  void Int8(std::int64_t v);
  void Int4(std::int32_t v);
  void Bytes(std::string_view bytes);  // text, bytea
  void Text(const std::optional<std::string>& text);
  // microseconds since the Unix epoch
  void Timestamptz(std::int64_t unix_micros);
  void TextArray(std::span<const std::string> elements);
  void Jsonb(std::string_view json);
  void Vector(std::span<const float> values);
  // The trailer; returns the whole COPY payload.
  std::string Finish();

 private:
  void Put16(std::uint16_t v);
  void Put32(std::uint32_t v);
  void Put64(std::uint64_t v);
  std::string out_;
};

}  // namespace tributary::bench
