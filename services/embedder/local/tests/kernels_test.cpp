// The vectorized kernels against libm and the plain formulas they replace.
#include "services/embedder/local/kernels.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace tributary::embedder::local::kernels {
namespace {

// Within a few units in the last place of an fp32 result: far below what fp32 matrix products
// round away.
TEST(Kernels, ErfAndExpCloseToLibm) {
  double worst_erf = 0;
  double worst_exp = 0;
  for (int i = -80000; i <= 80000; ++i) {
    const float x = static_cast<float>(i) / 10000.0F;  // [-8, 8]
    worst_erf = std::max(worst_erf, std::abs(double(Erf(x)) - std::erf(double(x))));
  }
  // [-80, 0]: softmax's range (a row's maximum is subtracted first), short of where results
  // turn subnormal and lose their relative precision.
  for (int i = -800000; i <= 0; ++i) {
    const float x = static_cast<float>(i) / 10000.0F;
    const double expected = std::exp(double(x));
    worst_exp = std::max(worst_exp, std::abs(double(Exp(x)) - expected) / expected);
  }
  EXPECT_LT(worst_erf, 5e-7);  // erf near ±1 has ulps of 6e-8
  EXPECT_LT(worst_exp, 5e-7);
  EXPECT_EQ(Exp(-1000.0F), Exp(-87.0F));  // clamped, not garbage
}

TEST(Kernels, GeluSoftmaxAndLayerNormMatchTheirFormulas) {
  std::mt19937 random(3);
  std::normal_distribution<float> normal(0.0F, 3.0F);
  std::vector<float> x(1000);
  for (auto& v : x) v = normal(random);
  // 20 rows of 50, a bias per column.
  std::vector<float> column_bias(50);
  for (auto& v : column_bias) v = normal(random);
  auto gelu = x;
  AddBiasGelu(gelu.data(), 20, 50, column_bias.data());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = double(x[i]) + column_bias[i % 50];
    const double expected = 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
    EXPECT_NEAR(gelu[i], expected, 1e-5 * std::max(1.0, std::abs(expected))) << v;
  }
  // 3 rows of 37 inside a stride of 40: the 3 values past each row stay as they were.
  std::vector<float> rows(120);
  for (auto& v : rows) v = normal(random);
  auto softmax = rows;
  SoftmaxRows(softmax.data(), 3, 37, 40);
  for (int r = 0; r < 3; ++r) {
    double top = rows[r * 40];
    for (int j = 0; j < 37; ++j) top = std::max(top, double(rows[r * 40 + j]));
    double sum = 0;
    for (int j = 0; j < 37; ++j) sum += std::exp(rows[r * 40 + j] - top);
    for (int j = 0; j < 37; ++j) {
      EXPECT_NEAR(softmax[r * 40 + j], std::exp(rows[r * 40 + j] - top) / sum, 1e-6);
    }
    for (int j = 37; j < 40; ++j) EXPECT_EQ(softmax[r * 40 + j], rows[r * 40 + j]);
  }
  // 2 rows of 37 (not a multiple of the 8 lanes): x + bias + residual, normalized.
  constexpr int kWidth = 37;
  std::vector<float> a(2 * kWidth), b(2 * kWidth), add(kWidth), gain(kWidth), shift(kWidth);
  for (auto* v : {&a, &b, &add, &gain, &shift}) {
    for (auto& value : *v) value = normal(random);
  }
  auto normed = a;
  AddAndNorm(normed.data(), add.data(), b.data(), 2, kWidth, gain.data(), shift.data(), 1e-12F);
  for (int r = 0; r < 2; ++r) {
    const auto sum = [&](int i) { return double(a[r * kWidth + i]) + b[r * kWidth + i] + add[i]; };
    double mean = 0;
    double squares = 0;
    for (int i = 0; i < kWidth; ++i) mean += sum(i);
    mean /= kWidth;
    for (int i = 0; i < kWidth; ++i) squares += (sum(i) - mean) * (sum(i) - mean);
    const double scale = 1 / std::sqrt(squares / kWidth + 1e-12);
    for (int i = 0; i < kWidth; ++i) {
      const double expected = (sum(i) - mean) * scale * gain[i] + shift[i];
      EXPECT_NEAR(normed[r * kWidth + i], expected, 1e-4 * std::max(1.0, std::abs(expected)));
    }
  }
}

}  // namespace
}  // namespace tributary::embedder::local::kernels
