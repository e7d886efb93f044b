#include "common/base/json_text.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tributary {

namespace {

// The first byte JSON needs escaped (a control character, '"' or '\\') at or after `i`, or
// text.size(); 16 bytes per step with SSE2 (the x86-64 baseline), since this runs over every
// byte of every item the CLI prints.
std::size_t NextToEscape(std::string_view text, std::size_t i) {
#if defined(__SSE2__)
  const __m128i control_max = _mm_set1_epi8(0x1F);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= text.size(); i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    const __m128i hits =
        _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(bytes, control_max), bytes),
                     _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)));
    if (const int bits = _mm_movemask_epi8(hits); bits != 0) {
      return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(bits)));
    }
  }
#endif
  for (; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == '"' || byte == '\\') break;
  }
  return i;
}

}  // namespace

void AppendJsonEscaped(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Runs that need no escape (nearly all text) are appended whole, not a character at a time.
  std::size_t run = 0;
  for (std::size_t i = NextToEscape(text, 0); i < text.size(); i = NextToEscape(text, i + 1)) {
    const auto byte = static_cast<unsigned char>(text[i]);
    out.append(text.data() + run, i - run);
    run = i + 1;
    const char c = text[i];
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:  // another control character
        out += "\\u00";
        out += kHex[byte >> 4];
        out += kHex[byte & 0xf];
    }
  }
  out.append(text.data() + run, text.size() - run);
}

std::string JsonString(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  AppendJsonEscaped(text, out);
  out += '"';
  return out;
}

}  // namespace tributary
