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
  auto gelu = x;
  Gelu(gelu.data(), gelu.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double expected = 0.5 * x[i] * (1 + std::erf(x[i] / std::sqrt(2.0)));
    EXPECT_NEAR(gelu[i], expected, 1e-5 * std::max(1.0, std::abs(expected))) << x[i];
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
  std::vector<float> a(64), b(64), gain(32), bias(32);
  for (auto* v : {&a, &b, &gain, &bias}) {
    for (auto& value : *v) value = normal(random);
  }
  auto normed = a;
  AddAndNorm(normed.data(), b.data(), 2, 32, gain.data(), bias.data(), 1e-12F);
  for (int r = 0; r < 2; ++r) {
    double mean = 0;
    double squares = 0;
    for (int i = 0; i < 32; ++i) mean += a[r * 32 + i] + b[r * 32 + i];
    mean /= 32;
    for (int i = 0; i < 32; ++i) {
      const double d = a[r * 32 + i] + b[r * 32 + i] - mean;
      squares += d * d;
    }
    const double scale = 1 / std::sqrt(squares / 32 + 1e-12);
    for (int i = 0; i < 32; ++i) {
      const double expected = (a[r * 32 + i] + b[r * 32 + i] - mean) * scale * gain[i] + bias[i];
      EXPECT_NEAR(normed[r * 32 + i], expected, 1e-4 * std::max(1.0, std::abs(expected)));
    }
  }
}

}  // namespace
}  // namespace tributary::embedder::local::kernels
