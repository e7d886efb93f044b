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

}  // namespace tributary
