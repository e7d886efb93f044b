#include "services/embedder/local/amx_bf16.hpp"

#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstddef>

namespace tributary::embedder::local::amx {
namespace {

// The shapes every tile has here: A and C tiles are 16 rows of 64 bytes (32 bf16 / 16 fp32),
// B tiles 16 rows of 16 (even, odd) bf16 pairs, i.e. 32 inputs × 16 outputs.
constexpr int kTileRows = 16;
constexpr int kTileInputs = 32;
constexpr int kTileOutputs = 16;
constexpr int kTileBytesPerRow = 64;
constexpr int kTileValues = kTileRows * kTileInputs;  // bf16 values in one packed B tile

// LDTILECFG's 64-byte operand: palette 1, and each of the 8 tiles 16 rows × 64 bytes.
struct alignas(64) TileConfig {
  std::uint8_t palette = 1;
  std::uint8_t start_row = 0;
  std::uint8_t reserved[14] = {};
  std::uint16_t bytes_per_row[16] = {};
  std::uint8_t rows[16] = {};
};

// Linux hands out the 8 KB of tile state only to a process that asks (arch_prctl).
constexpr long kRequestComponentPermission = 0x1023;  // ARCH_REQ_XCOMP_PERM
constexpr long kTileDataComponent = 18;                // XFEATURE_XTILEDATA

// AMX-TILE and AMX-BF16 for the products, AVX512-BF16 for rounding their inputs (every CPU
// with AMX has it; asked anyway).
bool CpuHasAmxBf16() {
  unsigned eax = 0;
  unsigned ebx = 0;
  unsigned ecx = 0;
  unsigned edx = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  constexpr unsigned kAmxBf16 = 1U << 22;
  constexpr unsigned kAmxTile = 1U << 24;
  if ((edx & kAmxBf16) == 0 || (edx & kAmxTile) == 0) return false;
  if (__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) == 0) return false;
  constexpr unsigned kAvx512Bf16 = 1U << 5;
  return (eax & kAvx512Bf16) != 0;
}

#define TRIBUTARY_AMX __attribute__((target("amx-tile,amx-bf16")))

// values floats to bf16, 32 at a time (VCVTNE2PS2BF16 rounds to nearest even, as ToBf16).
__attribute__((target("avx512f,avx512bf16"))) void Round(const float* in, std::size_t values,
                                                         std::uint16_t* out) {
  std::size_t i = 0;
  for (; i + 32 <= values; i += 32) {
    const __m512bh pairs = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(in + i + 16),
                                               _mm512_loadu_ps(in + i));
    _mm512_storeu_si512(out + i, reinterpret_cast<__m512i>(pairs));
  }
  for (; i < values; ++i) out[i] = ToBf16(in[i]);
}

TRIBUTARY_AMX void ConfigureTiles() {
  TileConfig config;
  for (int tile = 0; tile < 8; ++tile) {
    config.bytes_per_row[tile] = kTileBytesPerRow;
    config.rows[tile] = kTileRows;
  }
  _tile_loadconfig(&config);
}

// One block of C: up to 2×2 tiles (32 rows × 32 outputs) over all of k. Tiles 0–3 hold C,
// 4–5 the two A row tiles, 6–7 the two B column tiles; the register numbers must be literals.
template <bool kTwoRowTiles, bool kTwoColumnTiles>
TRIBUTARY_AMX void Block(const std::uint16_t* a, std::size_t a_stride, const std::uint16_t* b,
                         int k_tiles, float* c, std::size_t c_stride, bool accumulate) {
  const std::uint16_t* b_next = b + static_cast<std::size_t>(k_tiles) * kTileValues;
  float* c_down = c + kTileRows * c_stride / sizeof(float);
  const std::uint16_t* a_down = a + kTileRows * a_stride / sizeof(std::uint16_t);
  if (accumulate) {
    _tile_loadd(0, c, c_stride);
    if constexpr (kTwoColumnTiles) _tile_loadd(1, c + kTileOutputs, c_stride);
    if constexpr (kTwoRowTiles) _tile_loadd(2, c_down, c_stride);
    if constexpr (kTwoRowTiles && kTwoColumnTiles) _tile_loadd(3, c_down + kTileOutputs, c_stride);
  } else {
    _tile_zero(0);
    if constexpr (kTwoColumnTiles) _tile_zero(1);
    if constexpr (kTwoRowTiles) _tile_zero(2);
    if constexpr (kTwoRowTiles && kTwoColumnTiles) _tile_zero(3);
  }
  for (int kt = 0; kt < k_tiles; ++kt) {
    const std::size_t input = static_cast<std::size_t>(kt) * kTileInputs;
    const std::size_t tile = static_cast<std::size_t>(kt) * kTileValues;
    _tile_loadd(4, a + input, a_stride);
    if constexpr (kTwoRowTiles) _tile_loadd(5, a_down + input, a_stride);
    _tile_loadd(6, b + tile, kTileBytesPerRow);
    if constexpr (kTwoColumnTiles) _tile_loadd(7, b_next + tile, kTileBytesPerRow);
    _tile_dpbf16ps(0, 4, 6);
    if constexpr (kTwoColumnTiles) _tile_dpbf16ps(1, 4, 7);
    if constexpr (kTwoRowTiles) _tile_dpbf16ps(2, 5, 6);
    if constexpr (kTwoRowTiles && kTwoColumnTiles) _tile_dpbf16ps(3, 5, 7);
  }
  _tile_stored(0, c, c_stride);
  if constexpr (kTwoColumnTiles) _tile_stored(1, c + kTileOutputs, c_stride);
  if constexpr (kTwoRowTiles) _tile_stored(2, c_down, c_stride);
  if constexpr (kTwoRowTiles && kTwoColumnTiles) _tile_stored(3, c_down + kTileOutputs, c_stride);
}

TRIBUTARY_AMX void MultiplyTiles(const std::uint16_t* a, int rows, int k,
                                 const std::uint16_t* packed, int n, float* out,
                                 bool accumulate) {
  ConfigureTiles();
  const int k_tiles = k / kTileInputs;
  const int n_tiles = n / kTileOutputs;
  const std::size_t a_stride = static_cast<std::size_t>(k) * sizeof(std::uint16_t);
  const std::size_t c_stride = static_cast<std::size_t>(n) * sizeof(float);
  // Row blocks outside, output blocks inside: one block of A (≤ 32 rows × k) stays in cache
  // while the weights stream past it.
  for (int m = 0; m < rows; m += 2 * kTileRows) {
    const bool two_rows = m + kTileRows < rows;
    const std::uint16_t* a_block = a + static_cast<std::size_t>(m) * k;
    for (int t = 0; t < n_tiles; t += 2) {
      const bool two_columns = t + 1 < n_tiles;
      const std::uint16_t* b = packed + static_cast<std::size_t>(t) * k_tiles * kTileValues;
      float* c = out + static_cast<std::size_t>(m) * n + static_cast<std::size_t>(t) * kTileOutputs;
      if (two_rows && two_columns) {
        Block<true, true>(a_block, a_stride, b, k_tiles, c, c_stride, accumulate);
      } else if (two_rows) {
        Block<true, false>(a_block, a_stride, b, k_tiles, c, c_stride, accumulate);
      } else if (two_columns) {
        Block<false, true>(a_block, a_stride, b, k_tiles, c, c_stride, accumulate);
      } else {
        Block<false, false>(a_block, a_stride, b, k_tiles, c, c_stride, accumulate);
      }
    }
  }
  _tile_release();
}

}  // namespace

bool Available() {
  static const bool available =
      CpuHasAmxBf16() && syscall(SYS_arch_prctl, kRequestComponentPermission,
                                 kTileDataComponent) == 0;
  return available;
}

bool Fits(int n, int k) {
  return n > 0 && k > 0 && n % kTileOutputs == 0 && k % kTileInputs == 0;
}

int PaddedRows(int rows) { return (rows + kTileRows - 1) / kTileRows * kTileRows; }

std::uint16_t ToBf16(float x) {
  auto bits = std::bit_cast<std::uint32_t>(x);
  bits += 0x7FFFU + ((bits >> 16) & 1U);  // round to nearest, ties to even (no NaNs here)
  return static_cast<std::uint16_t>(bits >> 16);
}

std::vector<std::uint16_t> PackWeights(const float* weight, int n, int k) {
  std::vector<std::uint16_t> packed(static_cast<std::size_t>(n) * k);
  std::size_t next = 0;
  for (int n0 = 0; n0 < n; n0 += kTileOutputs) {
    for (int k0 = 0; k0 < k; k0 += kTileInputs) {
      for (int pair = 0; pair < kTileRows; ++pair) {
        for (int column = 0; column < kTileOutputs; ++column) {
          const float* row = weight + static_cast<std::size_t>(n0 + column) * k + k0 + 2 * pair;
          packed[next++] = ToBf16(row[0]);
          packed[next++] = ToBf16(row[1]);
        }
      }
    }
  }
  return packed;
}

void Multiply(const float* in, int rows, int k, const std::vector<std::uint16_t>& packed, int n,
              float* out, bool accumulate, std::vector<std::uint16_t>& staging) {
  const int padded = PaddedRows(rows);
  const std::size_t values = static_cast<std::size_t>(rows) * k;
  staging.resize(static_cast<std::size_t>(padded) * k);
  Round(in, values, staging.data());
  std::fill(staging.begin() + static_cast<std::ptrdiff_t>(values), staging.end(), 0);
  MultiplyTiles(staging.data(), padded, k, packed.data(), n, out, accumulate);
}

}  // namespace tributary::embedder::local::amx
