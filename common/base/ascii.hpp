#pragma once
// ASCII case folding for protocol words (schemes, hosts, header and directive names, charsets,
// month names), which must not depend on the process's locale the way std::tolower does.
#include <string>
#include <string_view>

namespace tributary {

inline char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = AsciiLower(c);
  return out;
}

// Whether `text` is `lower` (lower case already) in any case, without a copy.
inline bool AsciiEqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (AsciiLower(text[i]) != lower[i]) return false;
  }
  return true;
}

}  // namespace tributary
