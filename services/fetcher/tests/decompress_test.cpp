// gzip/deflate decoding and its decompressed-size cap.
#include <gtest/gtest.h>
#include <zlib.h>

#include "services/fetcher/decompress.hpp"

namespace tributary::fetcher {
namespace {

// Compresses with zlib: window_bits 15+16 gzip, 15 zlib, -15 raw deflate.
std::string Compress(const std::string& input, int window_bits) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&zs, input.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));  // NOLINT
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());  // NOLINT
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(ContentEncoding, Parses) {
  EXPECT_EQ(ParseContentEncoding(""), ContentCoding::kIdentity);
  EXPECT_EQ(ParseContentEncoding("identity"), ContentCoding::kIdentity);
  EXPECT_EQ(ParseContentEncoding("GZIP"), ContentCoding::kGzip);
  EXPECT_EQ(ParseContentEncoding("x-gzip"), ContentCoding::kGzip);
  EXPECT_EQ(ParseContentEncoding(" deflate "), ContentCoding::kDeflate);
  EXPECT_EQ(ParseContentEncoding("br"), ContentCoding::kUnsupported);
  EXPECT_EQ(ParseContentEncoding("gzip, br"), ContentCoding::kUnsupported);
}

TEST(Decompress, RoundTripsEveryWrapper) {
  const std::string text(100'000, 'x');
  EXPECT_EQ(*Decompress(ContentCoding::kGzip, Compress(text, 31), 1 << 20), text);
  EXPECT_EQ(*Decompress(ContentCoding::kDeflate, Compress(text, 15), 1 << 20), text);
  EXPECT_EQ(*Decompress(ContentCoding::kDeflate, Compress(text, -15), 1 << 20), text);
  EXPECT_EQ(*Decompress(ContentCoding::kIdentity, text, 1 << 20), text);
}

TEST(Decompress, ConcatenatedGzipMembers) {
  const auto twice = Compress("hello ", 31) + Compress("world", 31);
  EXPECT_EQ(*Decompress(ContentCoding::kGzip, twice, 1024), "hello world");
}

TEST(Decompress, BombStopsAtTheCap) {
  // 64 MiB of zeros compress to ~64 KiB; the cap of 1 MiB must stop it early.
  const auto bomb = Compress(std::string(64 << 20, '\0'), 31);
  ASSERT_LT(bomb.size(), 100'000U);
  auto decoded = Decompress(ContentCoding::kGzip, bomb, 1 << 20);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().error_class, "decompression_bomb");
  // Exactly at the cap is fine.
  EXPECT_TRUE(Decompress(ContentCoding::kGzip, Compress(std::string(1 << 20, 'a'), 31), 1 << 20)
                  .has_value());
}

TEST(Decompress, CorruptAndTruncatedData) {
  const auto good = Compress(std::string(10'000, 'y'), 31);
  auto truncated = Decompress(ContentCoding::kGzip, good.substr(0, good.size() / 2), 1 << 20);
  ASSERT_FALSE(truncated.has_value());
  EXPECT_EQ(truncated.error().error_class, "decompress");
  auto garbage = Decompress(ContentCoding::kGzip, "this is not gzip at all", 1 << 20);
  ASSERT_FALSE(garbage.has_value());
  EXPECT_EQ(garbage.error().error_class, "decompress");
  auto unsupported = Decompress(ContentCoding::kUnsupported, "x", 10);
  ASSERT_FALSE(unsupported.has_value());
  EXPECT_EQ(unsupported.error().error_class, "decompress");
  auto big = Decompress(ContentCoding::kIdentity, std::string(11, 'a'), 10);
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().error_class, "body_too_large");
}

}  // namespace
}  // namespace tributary::fetcher
