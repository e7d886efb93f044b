#include "services/parser/people.hpp"

namespace tributary::parser {
namespace {

std::string_view Trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

// An address as people write one in a byline: local@domain with no spaces, an optional
// "mailto:" dropped.
bool LooksLikeEmail(std::string_view text) {
  const auto at = text.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < text.size() &&
         text.find_first_of(" \t\r\n<>()") == std::string_view::npos;
}

std::string Address(std::string_view text) {
  text = Trim(text);
  if (text.substr(0, 7) == "mailto:") text.remove_prefix(7);
  return std::string(text);
}

}  // namespace

Person PersonFromText(std::string_view text) {
  text = Trim(text);
  Person person;
  // "Name <email>" / "<email>"
  if (const auto open = text.find('<'); open != std::string_view::npos && text.back() == '>') {
    const auto inside = Address(text.substr(open + 1, text.size() - open - 2));
    if (LooksLikeEmail(inside)) {
      person.email = inside;
      person.name = std::string(Trim(text.substr(0, open)));
      return person;
    }
  }
  // "email (Name)" / "Name (email)"
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open + 1) {
    const auto inside = Trim(text.substr(open + 1, close - open - 1));
    const std::string around =
        std::string(text.substr(0, open)) + std::string(text.substr(close + 1));
    const auto outside = Trim(around);
    if (LooksLikeEmail(Address(outside))) {
      person.email = Address(outside);
      person.name = std::string(inside);
      return person;
    }
    if (LooksLikeEmail(Address(inside)) && !outside.empty()) {
      person.email = Address(inside);
      person.name = std::string(outside);
      return person;
    }
  }
  if (LooksLikeEmail(Address(text))) {
    person.email = Address(text);
  } else {
    person.name = std::string(text);
  }
  return person;
}

}  // namespace tributary::parser
