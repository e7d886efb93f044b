#pragma once
// PostgreSQL's binary COPY format: the cheapest way to hand rows to the server. Nothing is
// rendered as text on our side nor parsed on its side; a vector of 384 floats travels as 1.5 KiB
// of raw bytes instead of ~3 KiB of decimal text that vector_in would have to parse.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tributary::pg {

class BinaryCopy {
 public:
  BinaryCopy();  // writes the header

  void BeginRow(std::int16_t fields);
  void Null();
  void Int8(std::int64_t value);
  void Int4(std::int32_t value);
  void Bool(bool value);
  void Bytes(std::string_view bytes);  // text and bytea share the wire shape
  void Text(const std::optional<std::string>& text);
  void Timestamptz(std::int64_t unix_micros);
  void Timestamptz(const std::optional<std::int64_t>& unix_micros);
  void TextArray(std::span<const std::string> elements);
  void Jsonb(std::string_view json);
  void Vector(std::span<const float> values);  // pgvector's `vector`

  // The trailer; returns the whole COPY payload. The object is spent afterwards.
  std::string Finish();

 private:
  void Put16(std::uint16_t value);
  void Put32(std::uint32_t value);
  void Put64(std::uint64_t value);
  std::string out_;
};

}  // namespace tributary::pg
