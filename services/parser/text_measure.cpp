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
  const __m128i ones = _mm_set1_epi8(1);
  const __m128i zero = _mm_setzero_si128();
  // Sums of the 0/1 bytes per 8 bytes (psadbw), so no popcount (not in x86-64's baseline).
  __m128i characters = zero;
  __m128i runs = zero;
  __m128i commas = zero;
  __m128i previous_spaces = zero;  // the last step's whitespace (its byte 15 is carried)
  for (; end - p >= 16; p += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i spaces = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(bytes, space), _mm_cmpeq_epi8(bytes, tab)),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, newline),
                                  _mm_cmpeq_epi8(bytes, carriage_return)),
                     _mm_cmpeq_epi8(bytes, form_feed)));
    const __m128i continuations =
        _mm_cmpeq_epi8(_mm_and_si128(bytes, top_bits), continuation);
    characters = _mm_add_epi64(
        characters, _mm_sad_epu8(_mm_andnot_si128(_mm_or_si128(spaces, continuations), ones),
                                 zero));
    // A run starts at each whitespace byte whose previous byte is not whitespace.
    const __m128i before = _mm_or_si128(_mm_slli_si128(spaces, 1),
                                        _mm_srli_si128(previous_spaces, 15));
    runs = _mm_add_epi64(runs, _mm_sad_epu8(_mm_andnot_si128(before, _mm_and_si128(spaces, ones)),
                                            zero));
    previous_spaces = spaces;
    commas = _mm_add_epi64(commas,
                           _mm_sad_epu8(_mm_and_si128(_mm_cmpeq_epi8(bytes, comma), ones), zero));
    // A lead byte of a multi-byte character (0xC0 and up) may start a wide comma.
    const auto lead_bits = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(
        _mm_and_si128(bytes, top_bits), top_bits)));
    for (unsigned bits = lead_bits; bits != 0; bits &= bits - 1) {
      const auto* lead = p + __builtin_ctz(bits);
      if (WideComma(lead, end - lead)) ++counts.commas;
    }
  }
  const auto sum = [](__m128i lanes) {
    return static_cast<std::uint32_t>(_mm_cvtsi128_si32(lanes) +
                                      _mm_cvtsi128_si32(_mm_srli_si128(lanes, 8)));
  };
  counts.characters += sum(characters);
  counts.space_runs += sum(runs);
  counts.commas += sum(commas);
  counts.in_space = (_mm_movemask_epi8(previous_spaces) & 0x8000) != 0;
#endif
  CountBytes(p, end, counts);
  if (counts.characters == 0) return {};
  return {counts.characters + counts.space_runs, counts.commas};
}

}  // namespace tributary::parser
