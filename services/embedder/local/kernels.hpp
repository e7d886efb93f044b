#pragma once
// The encoder's element-wise steps (everything but the matrix products), written so the
// compiler vectorizes them, each fused with the bias add before it: GELU with a rational erf,
// softmax with a polynomial exp, LayerNorm. Built for AVX-512 and for AVX2+FMA, with a plain
// x86-64 fallback chosen at run time, so the binary still runs on any x86-64. Both approximations are within a few fp32 units in the
// last place of the libm functions (tested), far below what fp32 matrix products round away.
#include <cstddef>

namespace tributary::embedder::local::kernels {

// x = GELU(x + bias) row by row: BERT's exact ("erf") GELU on a Linear's output.
void AddBiasGelu(float* x, int rows, int width, const float* bias);
// Each of `rows` rows of `width` values (row i at x + i·stride) becomes its softmax.
void SoftmaxRows(float* x, int rows, int width, int stride);
// x = LayerNorm(x + bias + residual) row by row, with gain and shift: BERT's "Add & Norm" on a
// Linear's output (`bias` and `residual` may be null).
void AddAndNorm(float* x, const float* bias, const float* residual, int rows, int width,
                const float* gain, const float* shift, float eps);

// The scalar forms, for tests against libm.
float Erf(float x);
float Exp(float x);

}  // namespace tributary::embedder::local::kernels
