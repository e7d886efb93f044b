#pragma once
// The encoder's element-wise steps (everything but the matrix products, which are BLAS's),
// written so the compiler vectorizes them: GELU with a rational erf, softmax with a polynomial
// exp, LayerNorm. Built for AVX2+FMA with a plain x86-64 fallback chosen at run time, so the
// binary still runs on any x86-64. Both approximations are within a few fp32 units in the
// last place of the libm functions (tested), far below what fp32 matrix products round away.
#include <cstddef>

namespace tributary::embedder::local::kernels {

// x = x · Φ(x), BERT's exact ("erf") GELU.
void Gelu(float* x, std::size_t n);
// Each of `rows` rows of `width` values (row i at x + i·stride) becomes its softmax.
void SoftmaxRows(float* x, int rows, int width, int stride);
// x = LayerNorm(x + residual) row by row (`residual` may be null), with gain and bias.
void AddAndNorm(float* x, const float* residual, int rows, int width, const float* gain,
                const float* bias, float eps);

// The scalar forms, for tests against libm.
float Erf(float x);
float Exp(float x);

}  // namespace tributary::embedder::local::kernels
