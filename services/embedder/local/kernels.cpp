#include "services/embedder/local/kernels.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

// Each hot loop is compiled three times, for AVX-512, for AVX2+FMA and for baseline x86-64, and
// the loader picks the one the CPU runs.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TRIBUTARY_VECTOR_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TRIBUTARY_VECTOR_CLONES
#endif

namespace tributary::embedder::local::kernels {
namespace {

// erf(x) ≈ x·P(x²)/Q(x²) on [-4, 4] (|error| < 7e-8 in exact arithmetic, < 5e-7 in fp32;
// erf(±4) is ±1 in fp32): the rational approximation common to vectorized math libraries.
inline float ErfInline(float x) {
  x = std::clamp(x, -4.0F, 4.0F);
  const float x2 = x * x;
  float p = -2.72614225801306e-10F;
  p = p * x2 + 2.77068142495902e-08F;
  p = p * x2 - 2.10102402082508e-06F;
  p = p * x2 - 5.69250639462346e-05F;
  p = p * x2 - 7.34990630326855e-04F;
  p = p * x2 - 2.95459980854025e-03F;
  p = p * x2 - 1.60960333262415e-02F;
  float q = -1.45660718464996e-05F;
  q = q * x2 - 2.13374055278905e-04F;
  q = q * x2 - 1.68282697438203e-03F;
  q = q * x2 - 7.37332916720468e-03F;
  q = q * x2 - 1.42647390514189e-02F;
  return x * p / q;
}

// e^x for x <= 0 (softmax inputs, shifted by their maximum): x = n·ln2 + r, |r| <= ln2/2,
// e^r by a degree-6 polynomial, 2^n by building the exponent bits. Below -87 the result is 0.
inline float ExpInline(float x) {
  x = std::max(x, -87.0F);
  const float n = std::nearbyint(x * 1.44269504088896341F);
  const float r = (x - n * 0.693359375F) + n * 2.12194440e-4F;
  float e = 1.9875691500E-4F;
  e = e * r + 1.3981999507E-3F;
  e = e * r + 8.3334519073E-3F;
  e = e * r + 4.1665795894E-2F;
  e = e * r + 1.6666665459E-1F;
  e = e * r + 5.0000001201E-1F;
  e = e * r * r + r + 1.0F;
  const auto bits = static_cast<std::uint32_t>(static_cast<std::int32_t>(n) + 127) << 23;
  return e * std::bit_cast<float>(bits);
}

}  // namespace

float Erf(float x) { return ErfInline(x); }
float Exp(float x) { return ExpInline(x); }

// Sums and maxima over eight running lanes: the compiler vectorizes these without being allowed
// to reassociate float arithmetic anywhere else in the file (which would break ExpInline's
// range reduction). The lanes fix the order, so results do not depend on the CPU.
constexpr int kLanes = 8;

inline float LaneSum(const float* x, int n) {
  float lanes[kLanes] = {};
  int i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int k = 0; k < kLanes; ++k) lanes[k] += x[i + k];
  }
  float sum = 0;
  for (; i < n; ++i) sum += x[i];
  for (const float lane : lanes) sum += lane;
  return sum;
}

// Eight lanes as one GCC vector: the auto-vectorizer leaves a max reduction scalar (its NaN
// rules), a vector select does not.
using LaneVector = float __attribute__((vector_size(kLanes * sizeof(float))));

inline float LaneMax(const float* x, int n) {
  LaneVector lanes;
  for (int k = 0; k < kLanes; ++k) lanes[k] = x[0];
  int i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    LaneVector next;
    std::memcpy(&next, x + i, sizeof next);
    lanes = next > lanes ? next : lanes;
  }
  float top = x[0];
  for (; i < n; ++i) top = std::max(top, x[i]);
  for (int k = 0; k < kLanes; ++k) top = std::max(top, lanes[k]);
  return top;
}

TRIBUTARY_VECTOR_CLONES
void SoftmaxRows(float* x, int rows, int width, int stride) {
  for (int r = 0; r < rows; ++r) {
    float* row = x + static_cast<std::ptrdiff_t>(r) * stride;
    const float top = LaneMax(row, width);
    for (int j = 0; j < width; ++j) row[j] = ExpInline(row[j] - top);
    const float inverse = 1.0F / LaneSum(row, width);
    for (int j = 0; j < width; ++j) row[j] *= inverse;
  }
}

TRIBUTARY_VECTOR_CLONES
void AddBiasGelu(float* x, int rows, int width, const float* bias) {
  for (int r = 0; r < rows; ++r) {
    float* row = x + static_cast<std::ptrdiff_t>(r) * width;
    for (int i = 0; i < width; ++i) {
      const float v = row[i] + bias[i];
      row[i] = 0.5F * v * (1.0F + ErfInline(v * 0.70710678F));
    }
  }
}

TRIBUTARY_VECTOR_CLONES
void AddAndNorm(float* x, const float* bias, const float* residual, int rows, int width,
                const float* gain, const float* shift, float eps) {
  for (int r = 0; r < rows; ++r) {
    float* row = x + static_cast<std::ptrdiff_t>(r) * width;
    if (bias != nullptr) {
      for (int i = 0; i < width; ++i) row[i] += bias[i];
    }
    if (residual != nullptr) {
      const float* add = residual + static_cast<std::ptrdiff_t>(r) * width;
      for (int i = 0; i < width; ++i) row[i] += add[i];
    }
    const float mean = LaneSum(row, width) / static_cast<float>(width);
    float lanes[kLanes] = {};
    int i = 0;
    for (; i + kLanes <= width; i += kLanes) {
      for (int k = 0; k < kLanes; ++k) {
        const float d = row[i + k] - mean;
        lanes[k] += d * d;
      }
    }
    float squares = 0;
    for (; i < width; ++i) squares += (row[i] - mean) * (row[i] - mean);
    for (const float lane : lanes) squares += lane;
    const float scale = 1.0F / std::sqrt(squares / static_cast<float>(width) + eps);
    for (int j = 0; j < width; ++j) row[j] = (row[j] - mean) * scale * gain[j] + shift[j];
  }
}

}  // namespace tributary::embedder::local::kernels
