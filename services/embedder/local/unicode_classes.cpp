#include "services/embedder/local/unicode_classes.hpp"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <stdexcept>

namespace tributary::embedder::local::unicode {
namespace {

// The Unicode version of the tables `tokenizers` classifies characters with (its
// unicode_categories crate): measured, a format character, nonspacing mark or punctuation
// character of Unicode 9 (U+08E2, U+1DFB, U+2E44) is none of those to it, one of 8 (U+08E3,
// U+2E42) is.
constexpr int kTablesMajor = 8;

bool AssignedInTables(char32_t c) {
  UVersionInfo age{};
  u_charAge(static_cast<UChar32>(c), age);
  return age[0] != 0 && age[0] <= kTablesMajor;
}

std::u16string ToUtf16(const std::u32string& text) {
  std::u16string out;
  out.reserve(text.size());
  for (const char32_t c : text) {
    if (c >= 0x10000) {
      out.push_back(static_cast<char16_t>(U16_LEAD(c)));
      out.push_back(static_cast<char16_t>(U16_TRAIL(c)));
    } else {
      out.push_back(static_cast<char16_t>(c));
    }
  }
  return out;
}

std::u32string FromUtf16(const char16_t* text, std::size_t size) {
  std::u32string out;
  out.reserve(size);
  for (std::size_t i = 0; i < size;) {
    UChar32 c = 0;
    U16_NEXT(text, i, size, c);
    out.push_back(static_cast<char32_t>(c));
  }
  return out;
}

}  // namespace

std::u32string Decode(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  std::size_t i = 0;
  while (i < utf8.size()) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3
                                        : (lead >> 3) == 0x1E ? 4 : 0;
    char32_t c = length == 1 ? lead : length == 2 ? lead & 0x1FU : length == 3 ? lead & 0x0FU
                                                                             : lead & 0x07U;
    bool valid = length != 0 && i + length <= utf8.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(utf8[i + k]);
      valid = (next & 0xC0U) == 0x80;
      c = (c << 6) | (next & 0x3FU);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not characters either.
    valid = valid && !(length == 2 && c < 0x80) && !(length == 3 && c < 0x800) &&
            !(length == 4 && (c < 0x10000 || c > 0x10FFFF)) && !(c >= 0xD800 && c <= 0xDFFF);
    out.push_back(valid ? c : 0xFFFD);
    i += valid ? length : 1;
  }
  return out;
}

bool IsWhitespace(char32_t c) {
  return c == '\t' || c == '\n' || c == '\r' || u_isUWhiteSpace(static_cast<UChar32>(c));
}

bool IsOther(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r' || !AssignedInTables(c)) return false;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_PRIVATE_USE_CHAR:
    case U_SURROGATE:
      return true;
    default:
      return false;
  }
}

bool IsChineseChar(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool IsPunctuation(char32_t c) {
  if (c < 0x80) {
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
  }
  if (!AssignedInTables(c)) return false;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_CONNECTOR_PUNCTUATION:
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
      return true;
    default:
      return false;
  }
}

bool IsNonspacingMark(char32_t c) {
  return AssignedInTables(c) && u_charType(static_cast<UChar32>(c)) == U_NON_SPACING_MARK;
}

std::u32string Nfd(const std::u32string& text) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2* nfd = unorm2_getNFDInstance(&status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU: no NFD normalizer");
  const auto source = ToUtf16(text);
  // Decomposition grows text by at most a few times (U+1F82 becomes four characters).
  std::u16string out(source.size() * 4 + 16, u'\0');
  const auto size = unorm2_normalize(nfd, reinterpret_cast<const UChar*>(source.data()),
                                     static_cast<int32_t>(source.size()),
                                     reinterpret_cast<UChar*>(out.data()),
                                     static_cast<int32_t>(out.size()), &status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU: NFD failed");
  return FromUtf16(out.data(), static_cast<std::size_t>(size));
}

std::u32string Lowercase(const std::u32string& text) {
  std::u32string out;
  out.reserve(text.size());
  for (const char32_t c : text) {
    if (c < 0x80) {
      out.push_back(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
      continue;
    }
    const auto source = ToUtf16(std::u32string(1, c));
    UChar lower[8];
    UErrorCode status = U_ZERO_ERROR;
    const auto size = u_strToLower(lower, 8, reinterpret_cast<const UChar*>(source.data()),
                                   static_cast<int32_t>(source.size()), "", &status);
    if (U_FAILURE(status)) {
      out.push_back(c);
      continue;
    }
    out += FromUtf16(reinterpret_cast<const char16_t*>(lower), static_cast<std::size_t>(size));
  }
  return out;
}

}  // namespace tributary::embedder::local::unicode
