#include "services/parser/html_entities.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace tributary::parser {
namespace {

// Sorted by name in byte order (the generator's promise), so a binary search finds a name in
// 12 comparisons.
constexpr std::pair<std::string_view, std::string_view> kEntities[] = {
#include "html_entity_table.inc"
};
static_assert(std::is_sorted(std::begin(kEntities), std::end(kEntities),
                             [](const auto& a, const auto& b) { return a.first < b.first; }));

}  // namespace

std::optional<std::string_view> HtmlEntity(std::string_view name) {
  const auto* it = std::lower_bound(
      std::begin(kEntities), std::end(kEntities), name,
      [](const auto& entry, std::string_view key) { return entry.first < key; });
  if (it == std::end(kEntities) || it->first != name) return std::nullopt;
  return it->second;
}

}  // namespace tributary::parser
