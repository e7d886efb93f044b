#pragma once
// Byte scanners for the text hot paths (UTF-8 checks, HTML to text): each returns the first
// position at or after `i` holding a byte of a small set, or s.size(). On x86-64 they look at 16
// bytes per step with SSE2 (part of the x86-64 baseline, so no dispatch); elsewhere a byte loop.
// The sets are supersets of what the callers stop at; callers re-check the byte they land on.
#include <cstddef>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tributary::parser::scan {

#if defined(__SSE2__)
namespace detail {

inline __m128i Load(const char* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }

// Bits set for bytes <= 0x20 (whitespace and control characters).
inline int AtMostSpace(__m128i bytes) {
  const __m128i space = _mm_set1_epi8(0x20);
  return _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(bytes, space), space));
}

inline int Equal(__m128i bytes, char c) {
  return _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(c)));
}

template <typename Mask>
std::size_t Find(std::string_view s, std::size_t i, Mask mask) {
  while (i + 16 <= s.size()) {
    if (const int bits = mask(Load(s.data() + i)); bits != 0) {
      return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(bits)));
    }
    i += 16;
  }
  return i;  // fewer than 16 bytes left: the caller's byte loop finishes
}

}  // namespace detail
#endif

// First byte < 0x20 or >= 0x80: the end of a run of printable ASCII.
inline std::size_t NotPrintableAscii(std::string_view s, std::size_t i) {
#if defined(__SSE2__)
  // A signed compare with 0x20 is true for bytes < 0x20 and for bytes >= 0x80 (negative).
  i = detail::Find(s, i, [](__m128i b) {
    return _mm_movemask_epi8(_mm_cmplt_epi8(b, _mm_set1_epi8(0x20)));
  });
#endif
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x80) break;
    ++i;
  }
  return i;
}

// The end of a run of words, which whitespace collapsing leaves exactly as it is: the first byte
// <= 0x20 (whitespace), 0xC2 (the lead byte of U+00A0), and with `markup` '<' or '&' -- except
// a single ' ' between two bytes that are none of those.
inline std::size_t WordsEnd(std::string_view s, std::size_t i, bool markup) {
#if defined(__SSE2__)
  const auto special_bits = [markup](__m128i b) {
    int bits = detail::AtMostSpace(b) | detail::Equal(b, '\xC2');
    if (markup) bits |= detail::Equal(b, '<') | detail::Equal(b, '&');
    return bits;
  };
  while (i + 17 <= s.size()) {  // the byte after each of the 16 is there too
    const __m128i bytes = detail::Load(s.data() + i);
    const int space = detail::Equal(bytes, ' ');
    const int bits =
        (special_bits(bytes) & ~space) | (space & special_bits(detail::Load(s.data() + i + 1)));
    if (bits != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(bits)));
    i += 16;
  }
#endif
  const auto special = [&](std::size_t k) {
    const auto c = static_cast<unsigned char>(s[k]);
    return c <= 0x20 || c == 0xC2 || (markup && (c == '<' || c == '&'));
  };
  for (; i < s.size(); ++i) {
    if (special(i) && (s[i] != ' ' || i + 1 == s.size() || special(i + 1))) break;
  }
  return i;
}

// First '<' or '&': where a run of XML character data ends or holds a reference.
inline std::size_t MarkupOrReference(std::string_view s, std::size_t i) {
#if defined(__SSE2__)
  i = detail::Find(s, i, [](__m128i b) { return detail::Equal(b, '<') | detail::Equal(b, '&'); });
#endif
  while (i < s.size() && s[i] != '<' && s[i] != '&') ++i;
  return i;
}

// First '&', '<', '>' (and with `quote` '"'): what HTML escaping replaces.
inline std::size_t HtmlEscaped(std::string_view s, std::size_t i, bool quote) {
#if defined(__SSE2__)
  if (quote) {
    i = detail::Find(s, i, [](__m128i b) {
      return detail::Equal(b, '&') | detail::Equal(b, '<') | detail::Equal(b, '>') |
             detail::Equal(b, '"');
    });
  } else {
    i = detail::Find(s, i, [](__m128i b) {
      return detail::Equal(b, '&') | detail::Equal(b, '<') | detail::Equal(b, '>');
    });
  }
#endif
  while (i < s.size() && s[i] != '&' && s[i] != '<' && s[i] != '>' && (!quote || s[i] != '"')) {
    ++i;
  }
  return i;
}

// First '"', '\'' or '>': what matters while skipping over a tag.
inline std::size_t TagSpecial(std::string_view s, std::size_t i) {
#if defined(__SSE2__)
  i = detail::Find(s, i, [](__m128i b) {
    return detail::Equal(b, '"') | detail::Equal(b, '\'') | detail::Equal(b, '>');
  });
#endif
  while (i < s.size() && s[i] != '"' && s[i] != '\'' && s[i] != '>') ++i;
  return i;
}

// The '>' that ends a tag whose inside starts at `i`, skipping quoted attribute values (which
// may hold '>'); s.size() when the tag never ends.
inline std::size_t TagEnd(std::string_view s, std::size_t i) {
  char quote = 0;
  while ((i = TagSpecial(s, i)) < s.size()) {
    const char c = s[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else {
      return i;  // '>'
    }
    ++i;
  }
  return s.size();
}

}  // namespace tributary::parser::scan
