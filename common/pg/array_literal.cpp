#include "common/pg/array_literal.hpp"

#include <string_view>

namespace tributary::pg {
namespace {

void AppendQuoted(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string ArrayLiteral(std::span<const std::optional<std::string>> elements) {
  std::string out = "{";
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out += ',';
    if (elements[i]) {
      AppendQuoted(out, *elements[i]);
    } else {
      out += "NULL";
    }
  }
  out += '}';
  return out;
}

std::string ArrayLiteral(std::span<const std::string> elements) {
  std::string out = "{";
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out += ',';
    AppendQuoted(out, elements[i]);
  }
  out += '}';
  return out;
}

}  // namespace tributary::pg
