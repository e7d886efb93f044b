#include "services/parser/html_entities.hpp"

#include "services/parser/name_table.hpp"

namespace tributary::parser {
namespace {

// Hashed: text passes look names up for every reference they meet (three per item in a
// typical feed, in two passes), where a binary search cost a dozen string compares each.
constexpr NameTable<std::string_view, 4096> kEntities = {
#include "html_entity_table.inc"
};

}  // namespace

std::optional<std::string_view> HtmlEntity(std::string_view name) {
  const auto text = kEntities.Find(name);
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace tributary::parser
