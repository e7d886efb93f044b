#include "services/parser/text_measure.hpp"

#include <cstddef>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tributary::parser {
namespace {

bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// The comma forms beyond ASCII, by their UTF-8 bytes at `p` (with `left` bytes from p on).
bool WideComma(const unsigned char* p, std::ptrdiff_t left) {
  if (left >= 2 && p[0] == 0xD8 && p[1] == 0x8C) return true;  // U+060C Arabic comma
  if (left < 3) return false;
  if (p[0] == 0xEF) {
    return (p[1] == 0xB9 && p[2] == 0x90) ||   // U+FE50 small comma
           (p[1] == 0xB8 && p[2] == 0x90) ||   // U+FE10 vertical comma
           (p[1] == 0xB8 && p[2] == 0x91) ||   // U+FE11 ideographic comma, vertical
           (p[1] == 0xBC && p[2] == 0x8C);     // U+FF0C fullwidth comma
  }
  return p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x81;  // U+3001 ideographic comma
}

// Running counts: characters that are not whitespace, runs of whitespace, commas.
struct Counts {
  std::uint32_t characters = 0;
  std::uint32_t space_runs = 0;
  std::uint32_t commas = 0;
  bool in_space = false;  // the byte before the next one is whitespace
};

void CountBytes(const unsigned char* p, const unsigned char* end, Counts& counts) {
  for (; p != end; ++p) {
    if (IsSpace(*p)) {
      if (!counts.in_space) ++counts.space_runs;
      counts.in_space = true;
      continue;
    }
    counts.in_space = false;
    if ((*p & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte: the same character
    ++counts.characters;
    if (*p == ',' || (*p >= 0xC0 && WideComma(p, end - p))) ++counts.commas;
  }
}

}  // namespace

TextMeasure MeasureText(std::string_view text) {
  Counts counts;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i carriage_return = _mm_set1_epi8('\r');
  const __m128i form_feed = _mm_set1_epi8('\f');
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i top_bits = _mm_set1_epi8(static_cast<char>(0xC0));
  const __m128i continuation = _mm_set1_epi8(static_cast<char>(0x80));
  for (; end - p >= 16; p += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i spaces = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(bytes, space), _mm_cmpeq_epi8(bytes, tab)),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, newline),
                                  _mm_cmpeq_epi8(bytes, carriage_return)),
                     _mm_cmpeq_epi8(bytes, form_feed)));
    const auto space_bits = static_cast<unsigned>(_mm_movemask_epi8(spaces));
    const auto continuation_bits = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_and_si128(bytes, top_bits), continuation)));
    const auto comma_bits = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, comma)));
    // A lead byte of a multi-byte character (0xC0 and up) may start a wide comma.
    const auto lead_bits = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(
        _mm_and_si128(bytes, top_bits), top_bits)));
    counts.characters += static_cast<std::uint32_t>(
        __builtin_popcount(~(space_bits | continuation_bits) & 0xFFFFu));
    // A run starts at each whitespace byte whose previous byte is not whitespace.
    const unsigned previous = (space_bits << 1) | (counts.in_space ? 1u : 0u);
    counts.space_runs +=
        static_cast<std::uint32_t>(__builtin_popcount(space_bits & ~previous & 0xFFFFu));
    counts.in_space = (space_bits & 0x8000u) != 0;
    counts.commas += static_cast<std::uint32_t>(__builtin_popcount(comma_bits));
    for (unsigned bits = lead_bits; bits != 0; bits &= bits - 1) {
      const auto* lead = p + __builtin_ctz(bits);
      if (WideComma(lead, end - lead)) ++counts.commas;
    }
  }
#endif
  CountBytes(p, end, counts);
  if (counts.characters == 0) return {};
  return {counts.characters + counts.space_runs, counts.commas};
}

}  // namespace tributary::parser
