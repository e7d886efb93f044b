#include "common/pg/binary_copy.hpp"

#include <bit>

namespace tributary::pg {
namespace {
// 2000-01-01T00:00:00Z in Unix microseconds: PostgreSQL's timestamp epoch.
constexpr std::int64_t kPgEpochMicros = 946'684'800'000'000;
constexpr std::uint32_t kTextOid = 25;
constexpr std::uint32_t kNullLength = 0xFFFFFFFF;
}  // namespace

BinaryCopy::BinaryCopy() {
  out_.append("PGCOPY\n\377\r\n\0", 11);
  Put32(0);  // flags: no OIDs
  Put32(0);  // header extension length
}

void BinaryCopy::Put16(std::uint16_t value) {
  out_ += static_cast<char>(value >> 8);
  out_ += static_cast<char>(value & 0xFF);
}

void BinaryCopy::Put32(std::uint32_t value) {
  Put16(static_cast<std::uint16_t>(value >> 16));
  Put16(static_cast<std::uint16_t>(value & 0xFFFF));
}

void BinaryCopy::Put64(std::uint64_t value) {
  Put32(static_cast<std::uint32_t>(value >> 32));
  Put32(static_cast<std::uint32_t>(value & 0xFFFFFFFF));
}

void BinaryCopy::BeginRow(std::int16_t fields) { Put16(static_cast<std::uint16_t>(fields)); }

void BinaryCopy::Null() { Put32(kNullLength); }

void BinaryCopy::Int8(std::int64_t value) {
  Put32(8);
  Put64(static_cast<std::uint64_t>(value));
}

void BinaryCopy::Int4(std::int32_t value) {
  Put32(4);
  Put32(static_cast<std::uint32_t>(value));
}

void BinaryCopy::Bool(bool value) {
  Put32(1);
  out_.push_back(value ? '\1' : '\0');
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

void BinaryCopy::Timestamptz(const std::optional<std::int64_t>& unix_micros) {
  if (unix_micros) {
    Timestamptz(*unix_micros);
  } else {
    Null();
  }
}

void BinaryCopy::TextArray(std::span<const std::string> elements) {
  // ndim, has-nulls flag, element type; then (length, lower bound) per dimension.
  std::size_t size = 12 + (elements.empty() ? 0 : 8);
  for (const auto& element : elements) size += 4 + element.size();
  Put32(static_cast<std::uint32_t>(size));
  Put32(elements.empty() ? 0 : 1);
  Put32(0);
  Put32(kTextOid);
  if (!elements.empty()) {
    Put32(static_cast<std::uint32_t>(elements.size()));
    Put32(1);
  }
  for (const auto& element : elements) Bytes(element);
}

void BinaryCopy::Jsonb(std::string_view json) {
  Put32(static_cast<std::uint32_t>(json.size() + 1));
  out_ += '\1';  // jsonb's binary format version: the JSON text follows
  out_.append(json);
}

void BinaryCopy::Vector(std::span<const float> values) {
  // pgvector's vector_recv: int16 dims, int16 unused, then big-endian float4s.
  Put32(static_cast<std::uint32_t>(4 + 4 * values.size()));
  Put16(static_cast<std::uint16_t>(values.size()));
  Put16(0);
  for (const float value : values) Put32(std::bit_cast<std::uint32_t>(value));
}

std::string BinaryCopy::Finish() {
  Put16(0xFFFF);
  return std::move(out_);
}

}  // namespace tributary::pg
