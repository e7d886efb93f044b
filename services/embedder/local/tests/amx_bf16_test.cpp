// The AMX bf16 product against the same product done in double over the same bf16-rounded
// inputs: only the order of the fp32 additions may differ.
#include "services/embedder/local/amx_bf16.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>
#include <vector>

namespace tributary::embedder::local::amx {
namespace {

double Widened(std::uint16_t bf16) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bf16) << 16);
}

TEST(AmxBf16, RoundsToNearestEven) {
  EXPECT_EQ(ToBf16(1.0F), 0x3F80);
  EXPECT_EQ(ToBf16(-2.5F), 0xC020);
  // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even mantissa, 1.
  EXPECT_EQ(ToBf16(1.0F + 1.0F / 256), 0x3F80);
  // 1 + 3·2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
  EXPECT_EQ(ToBf16(1.0F + 3.0F / 256), 0x3F82);
  EXPECT_EQ(ToBf16(1.0F + 1.0F / 128 + 1.0F / 1024), 0x3F81);
}

TEST(AmxBf16, OnlyTileMultiplesFit) {
  EXPECT_TRUE(Fits(1152, 384));
  EXPECT_FALSE(Fits(1152, 100));
  EXPECT_FALSE(Fits(40, 384));
  EXPECT_EQ(PaddedRows(1), 16);
  EXPECT_EQ(PaddedRows(32), 32);
  EXPECT_EQ(PaddedRows(33), 48);
}

TEST(AmxBf16, MultiplyMatchesTheProductOfTheRoundedInputs) {
  if (!Available()) GTEST_SKIP() << "this CPU (or kernel) offers no AMX-BF16: nothing to check";
  std::mt19937 random(11);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  // Rows: one partial tile, two tiles with the second partial, three tiles (a lone last row
  // tile); outputs: one, three (a lone last column tile) and four tiles.
  for (const int rows : {5, 29, 40}) {
    for (const int n : {16, 48, 64}) {
      for (const int k : {32, 96}) {
        for (const bool accumulate : {false, true}) {
          std::vector<float> in(static_cast<std::size_t>(rows) * k);
          std::vector<float> weight(static_cast<std::size_t>(n) * k);
          for (auto& v : in) v = normal(random);
          for (auto& v : weight) v = normal(random);
          std::vector<float> out(static_cast<std::size_t>(PaddedRows(rows)) * n);
          for (auto& v : out) v = normal(random);
          const std::vector<float> before = out;
          std::vector<std::uint16_t> staging;
          Multiply(in.data(), rows, k, PackWeights(weight.data(), n, k), n, out.data(),
                   accumulate, staging);
          double worst = 0;
          for (int r = 0; r < rows; ++r) {
            for (int o = 0; o < n; ++o) {
              double expected = accumulate ? before[r * n + o] : 0.0;
              for (int i = 0; i < k; ++i) {
                expected += Widened(ToBf16(in[r * k + i])) * Widened(ToBf16(weight[o * k + i]));
              }
              worst = std::max(worst, std::abs(out[r * n + o] - expected));
            }
          }
          // Sums of ~100 products of unit size, in fp32: a few 1e-6.
          EXPECT_LT(worst, 1e-4) << rows << " rows, " << n << " outputs, " << k << " inputs"
                                 << (accumulate ? ", accumulating" : "");
        }
      }
    }
  }
}

// Through an identity weight each output is one input rounded, exactly: the rounding inside
// Multiply (vectorized) is ToBf16's, ties included.
TEST(AmxBf16, MultiplyRoundsItsInputsAsToBf16Does) {
  if (!Available()) GTEST_SKIP() << "this CPU (or kernel) offers no AMX-BF16: nothing to check";
  constexpr int kSize = 32;
  constexpr int kRows = 3;  // 96 inputs: three vector steps, no scalar tail
  std::vector<float> identity(kSize * kSize, 0.0F);
  for (int i = 0; i < kSize; ++i) identity[i * kSize + i] = 1.0F;
  std::mt19937 random(5);
  std::uniform_real_distribution<float> uniform(-4.0F, 4.0F);
  std::vector<float> in(kRows * kSize);
  for (auto& v : in) v = uniform(random);
  in[0] = 1.0F + 1.0F / 256;      // a tie, down to the even 1
  in[1] = 1.0F + 3.0F / 256;      // a tie, up to the even 1 + 2^-6
  in[2] = -(1.0F + 5.0F / 256);   // a tie, down to the even 1 + 2^-6, negative
  std::vector<float> out(static_cast<std::size_t>(PaddedRows(kRows)) * kSize);
  std::vector<std::uint16_t> staging;
  Multiply(in.data(), kRows, kSize, PackWeights(identity.data(), kSize, kSize), kSize,
           out.data(), false, staging);
  for (int i = 0; i < kRows * kSize; ++i) {
    EXPECT_EQ(out[i], Widened(ToBf16(in[i]))) << "input " << i << ": " << in[i];
  }
}

}  // namespace
}  // namespace tributary::embedder::local::amx
