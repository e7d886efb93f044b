// The binary COPY layout byte for byte; that PostgreSQL accepts it is shown by the loader's
// LoaderPg.BinaryCopyAndUnnestPathsStoreIdenticalRows against the real server.
#include "common/pg/binary_copy.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace tributary::pg {
namespace {

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out += static_cast<char>(v);
  return out;
}

const std::string kHeader = std::string("PGCOPY\n\377\r\n\0", 11) + Bytes({0, 0, 0, 0, 0, 0, 0, 0});
const std::string kTrailer = Bytes({0xFF, 0xFF});

TEST(BinaryCopy, AnEmptyStreamIsHeaderAndTrailer) {
  EXPECT_EQ(BinaryCopy().Finish(), kHeader + kTrailer);
}

TEST(BinaryCopy, IntegersNullsAndTextAreLengthPrefixedBigEndian) {
  BinaryCopy copy;
  copy.BeginRow(4);
  copy.Int8(-2);
  copy.Int4(258);
  copy.Text(std::nullopt);
  copy.Text("hé");
  EXPECT_EQ(copy.Finish(),
            kHeader + Bytes({0, 4}) + Bytes({0, 0, 0, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                             0xFE}) +
                Bytes({0, 0, 0, 4, 0, 0, 1, 2}) + Bytes({0xFF, 0xFF, 0xFF, 0xFF}) +
                Bytes({0, 0, 0, 3, 'h', 0xC3, 0xA9}) + kTrailer);
}

TEST(BinaryCopy, TimestampsCountFromTheYear2000) {
  BinaryCopy copy;
  copy.BeginRow(2);
  copy.Timestamptz(std::int64_t{946'684'800'000'001});  // 2000-01-01T00:00:00.000001Z
  copy.Timestamptz(std::optional<std::int64_t>{});
  EXPECT_EQ(copy.Finish(), kHeader + Bytes({0, 2}) + Bytes({0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1}) +
                               Bytes({0xFF, 0xFF, 0xFF, 0xFF}) + kTrailer);
}

TEST(BinaryCopy, ArraysJsonbAndVectorsUseTheirReceiveFormats) {
  BinaryCopy copy;
  copy.BeginRow(4);
  const std::vector<std::string> one = {"a"};
  copy.TextArray(one);
  copy.TextArray({});
  copy.Jsonb("[]");
  const std::vector<float> vector = {1.0F};
  copy.Vector(vector);
  EXPECT_EQ(copy.Finish(),
            kHeader + Bytes({0, 4}) +
                // 1 dimension, no NULLs, text, 1 element from 1, then "a"
                Bytes({0, 0, 0, 25, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 1, 0, 0, 0, 1,
                       0, 0, 0, 1, 'a'}) +
                Bytes({0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25}) +
                Bytes({0, 0, 0, 3, 1, '[', ']'}) +
                // dims 1, unused 0, 1.0f = 0x3F800000
                Bytes({0, 0, 0, 8, 0, 1, 0, 0, 0x3F, 0x80, 0, 0}) + kTrailer);
}

}  // namespace
}  // namespace tributary::pg
