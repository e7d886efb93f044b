#pragma once
// Linear layers on Intel AMX in bf16: weights and activations rounded to bfloat16, products
// accumulated in fp32 tiles, output in fp32. On a CPU with AMX (Sapphire Rapids and later) a
// core multiplies ~10× faster than fp32 AVX-512 BLAS; rounding only the products' inputs keeps
// sentence vectors within cosine 0.9999 of fp32 (measured on all-MiniLM-L6-v2, see README.md).
// Everything else (LayerNorm, softmax, GELU, attention) stays fp32.
#include <cstdint>
#include <vector>

namespace tributary::embedder::local::amx {

// True when the CPU has AMX-BF16 and the kernel grants this process the tile registers (asked
// once; Linux ≥ 5.16).
bool Available();

// Whether a [n, k] weight can be packed: n a multiple of 16, k of 32 (every BERT size is).
bool Fits(int n, int k);

// A Linear weight as PyTorch stores it ([n, k], out × in, fp32) as bf16 tiles in the order
// Multiply reads them: for each 16 outputs and 32 inputs, 16 rows of 16 (even, odd) input pairs.
std::vector<std::uint16_t> PackWeights(const float* weight, int n, int k);

// Rows rounded up to the tile height: Multiply writes whole tiles, so `out` must have room for
// this many rows (the extra rows' values are meaningless).
int PaddedRows(int rows);

// out[rows, n] = in[rows, k] · weightᵀ (+ out when `accumulate`), weight packed by PackWeights.
// `staging` holds the bf16 copy of `in` between calls. Only after Available() says yes.
void Multiply(const float* in, int rows, int k, const std::vector<std::uint16_t>& packed, int n,
              float* out, bool accumulate, std::vector<std::uint16_t>& staging);

// x rounded to the nearest bfloat16 (ties to even), as Multiply rounds its inputs.
std::uint16_t ToBf16(float x);

}  // namespace tributary::embedder::local::amx
