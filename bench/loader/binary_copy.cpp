#include "bench/loader/binary_copy.hpp"

#include <bit>
#include <cstring>

namespace tributary::bench {
namespace {
// 2000-01-01 in Unix microseconds: PostgreSQL's timestamp epoch.
constexpr std::int64_t kPgEpochMicros = 946'684'800'000'000;
constexpr std::uint32_t kTextOid = 25;
}  // namespace

BinaryCopy::BinaryCopy() {
  out_.append("PGCOPY\n\377\r\n\0", 11);
  Put32(0);  // flags
  Put32(0);  // header extension length
}

void BinaryCopy::Put16(std::uint16_t v) {
  out_ += static_cast<char>(v >> 8);
  out_ += static_cast<char>(v & 0xFF);
}
void BinaryCopy::Put32(std::uint32_t v) {
  Put16(static_cast<std::uint16_t>(v >> 16));
  Put16(static_cast<std::uint16_t>(v & 0xFFFF));
}
void BinaryCopy::Put64(std::uint64_t v) {
  Put32(static_cast<std::uint32_t>(v >> 32));
  Put32(static_cast<std::uint32_t>(v & 0xFFFFFFFF));
}

void BinaryCopy::BeginRow(std::int16_t fields) { Put16(static_cast<std::uint16_t>(fields)); }
void BinaryCopy::Null() { Put32(0xFFFFFFFF); }
void BinaryCopy::Int8(std::int64_t v) {
  Put32(8);
  Put64(static_cast<std::uint64_t>(v));
}
void BinaryCopy::Int4(std::int32_t v) {
  Put32(4);
  Put32(static_cast<std::uint32_t>(v));
}
void BinaryCopy::Bytes(std::string_view bytes) {
  Put32(static_cast<std::uint32_t>(bytes.size()));
  out_.append(bytes);
}
void BinaryCopy::Text(const std::optional<std::string>& text) {
  if (text) {
    Bytes(*text);
  } else {
    Null();
  }
}
void BinaryCopy::Timestamptz(std::int64_t unix_micros) {
  Put32(8);
  Put64(static_cast<std::uint64_t>(unix_micros - kPgEpochMicros));
}
void BinaryCopy::TextArray(std::span<const std::string> elements) {
  std::size_t size = 12 + (elements.empty() ? 0 : 8);
  for (const auto& e : elements) size += 4 + e.size();
  Put32(static_cast<std::uint32_t>(size));
  Put32(elements.empty() ? 0 : 1);  // dimensions
  Put32(0);                         // no NULLs
  Put32(kTextOid);
  if (!elements.empty()) {
    Put32(static_cast<std::uint32_t>(elements.size()));
    Put32(1);  // lower bound
  }
  for (const auto& e : elements) Bytes(e);
}
void BinaryCopy::Jsonb(std::string_view json) {
  Put32(static_cast<std::uint32_t>(json.size() + 1));
  out_ += '\1';  // jsonb binary format version
  out_.append(json);
}
void BinaryCopy::Vector(std::span<const float> values) {
  Put32(static_cast<std::uint32_t>(4 + 4 * values.size()));
  Put16(static_cast<std::uint16_t>(values.size()));
  Put16(0);
  for (float f : values) Put32(std::bit_cast<std::uint32_t>(f));
}
std::string BinaryCopy::Finish() {
  Put16(0xFFFF);
  return std::move(out_);
}

}  // namespace tributary::bench
