#include "services/parser/article_cleaner.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "common/base/ascii.hpp"
#include "services/parser/article_stats.hpp"
#include "services/parser/class_hints.hpp"
#include "services/parser/html_dom.hpp"

namespace tributary::parser::html {
namespace {

std::size_t CountDescendants(const Node* node, std::string_view tag, std::size_t limit) {
  std::size_t count = 0;
  Walk(const_cast<Node*>(node), [&](Node* n) {
    if (count >= limit) return false;
    if (n != node && IsTag(n, tag)) ++count;
    return IsElement(n);
  });
  return count;
}

// A table that holds data (kept whole) rather than laying out the page.
bool IsDataTable(const Node* table) {
  if (Attr(table, "role") == "presentation" || Attr(table, "datatable") == "0") return false;
  if (HasAttr(table, "summary")) return true;
  for (const Node* child = table->first_child; child != nullptr; child = child->next) {
    if (IsTag(child, "caption") && child->first_child != nullptr) return true;
  }
  bool structure = false;
  bool nested = false;
  std::size_t rows = 0;
  std::size_t columns = 0;
  Walk(const_cast<Node*>(table), [&](Node* n) {
    if (!IsElement(n)) return false;
    if (n != table && IsTag(n, "table")) {
      nested = true;
      return false;
    }
    if (IsAnyTag(n, {"col", "colgroup", "tfoot", "thead", "th"})) structure = true;
    if (IsTag(n, "tr")) {
      ++rows;
      std::size_t cells = 0;
      for (const Node* cell = n->first_child; cell != nullptr; cell = cell->next) {
        if (IsAnyTag(cell, {"td", "th"})) {
          const auto span = std::atoi(std::string(Attr(cell, "colspan")).c_str());
          cells += span > 0 ? static_cast<std::size_t>(span) : 1;
        }
      }
      columns = std::max(columns, cells);
    }
    return true;
  });
  if (structure) return true;
  if (nested) return false;
  return rows >= 10 || columns > 4 || rows * columns > 10;
}

// Elements inside a data table, <code> or <figure>: the conditional cleaner treats them apart.
struct Shelter {
  enum Flag : unsigned char { kKept = 1, kFigure = 2 };
  // Inside a data table or code: never removed.
  [[nodiscard]] bool Kept(const Node* node) const { return (flags.Get(node) & kKept) != 0; }
  // Inside a figure: images are its point.
  [[nodiscard]] bool InFigure(const Node* node) const {
    return (flags.Get(node) & kFigure) != 0;
  }
  NodeTable<unsigned char> flags;
};

Shelter FindSheltered(Node* article, std::uint32_t first_node_id) {
  Shelter shelter{NodeTable<unsigned char>(first_node_id)};
  std::vector<std::pair<Node*, std::pair<bool, bool>>> stack{{article, {false, false}}};
  while (!stack.empty()) {
    auto [node, inside] = stack.back();
    stack.pop_back();
    auto [kept, figure] = inside;
    if (kept || figure) {
      shelter.flags[node] =
          static_cast<unsigned char>((kept ? Shelter::kKept : 0) | (figure ? Shelter::kFigure : 0));
    }
    kept = kept || IsTag(node, "code") || (IsTag(node, "table") && IsDataTable(node));
    figure = figure || IsTag(node, "figure");
    for (Node* child = node->first_child; child != nullptr; child = child->next) {
      if (IsElement(child)) stack.push_back({child, {kept, figure}});
    }
  }
  return shelter;
}

// Whether a block's statistics say it is page chrome rather than article.
bool LooksLikeChrome(const Node* node, const ElementStats& s, int weight, bool in_figure) {
  if (weight < 0) return true;
  if (s.commas >= 10) return false;
  bool list = IsAnyTag(node, {"ul", "ol"});
  if (!list && s.text > 0) list = s.list_text / s.text > 0.9;
  const double p = static_cast<double>(s.paragraphs);
  const double img = static_cast<double>(s.images);
  const double li = static_cast<double>(s.list_items) - 100;
  const double input = static_cast<double>(s.inputs);
  const double heading_density = s.text > 0 ? s.heading_text / s.text : 0;
  const double link_density = s.LinkDensity();
  const bool chrome =
      (!in_figure && img > 1 && p / img < 0.5) || (!list && li > p) ||
      (input > std::floor(p / 3)) ||
      (!list && !in_figure && heading_density < 0.9 && s.text < 25 && (img == 0 || img > 2) &&
       link_density > 0) ||
      (!list && weight < 25 && link_density > 0.2) || (weight >= 25 && link_density > 0.5) ||
      (s.embeds == 1 && s.text < 75) || s.embeds > 1 || (img == 0 && s.textish_text == 0);
  if (!chrome || !list) return chrome;
  // A list of images, one per item, is a gallery worth keeping.
  for (const Node* child = node->first_child; child != nullptr; child = child->next) {
    if (IsElement(child) && ElementChildren(child).size() > 1) return chrome;
  }
  return s.images != CountDescendants(node, "li", s.images + 1);
}

void RemoveAll(Node* article, std::initializer_list<std::string_view> tags) {
  std::vector<Node*> doomed;
  Walk(article, [&](Node* node) {
    if (!IsElement(node)) return false;
    if (node != article && IsAnyTag(node, tags)) {
      doomed.push_back(node);
      return false;
    }
    return true;
  });
  for (auto* node : doomed) Unlink(node);
}

// Removes the elements with these tags whose statistics look like chrome, deepest first, so a
// block is judged by what is left inside it.
void CleanConditionally(Node* article, std::initializer_list<std::string_view> tags,
                        const CleanOptions& options, TreeStats& stats) {
  if (!options.clean_conditionally) return;
  const auto shelter = FindSheltered(article, options.first_node_id);
  WalkChildrenFirst(article, [&](Node* node) {
    stats.Refresh(node);
    if (!IsAnyTag(node, tags) || shelter.Kept(node)) return;
    if (IsTag(node, "table") && IsDataTable(node)) return;
    const int weight = options.weight_classes ? ClassWeight(node) : 0;
    if (LooksLikeChrome(node, stats.Of(node), weight, shelter.InFigure(node))) {
      Unlink(node);
    }
  });
}

}  // namespace

double CleanArticle(Node* article, const CleanOptions& options, TreeStats& stats) {
  CleanConditionally(article, {"form", "fieldset"}, options, stats);
  RemoveAll(article, {"object", "embed", "footer", "link", "aside", "iframe", "input", "textarea",
                      "select", "button"});
  // Share bars below the article's top-level blocks, unless they hold a real amount of text.
  {
    stats.Compute(article);
    std::vector<Node*> doomed;
    for (Node* top : ElementChildren(article)) {
      Walk(top, [&](Node* node) {
        if (!IsElement(node)) return false;
        if (node != top && HasHint(node, kShareWords) && stats.Of(node).text < 500) {
          doomed.push_back(node);
          return false;
        }
        return true;
      });
    }
    for (auto* node : doomed) Unlink(node);
  }
  // Headings whose class says chrome.
  if (options.weight_classes) {
    std::vector<Node*> doomed;
    Walk(article, [&](Node* node) {
      if (!IsElement(node)) return false;
      if (IsAnyTag(node, {"h1", "h2"}) && ClassWeight(node) < 0) doomed.push_back(node);
      return true;
    });
    for (auto* node : doomed) Unlink(node);
  }
  CleanConditionally(article, {"table", "ul", "div"}, options, stats);
  // Paragraphs left empty (no text, no image or embed).
  stats.Compute(article);
  std::vector<Node*> doomed;
  Walk(article, [&](Node* node) {
    if (!IsElement(node)) return false;
    if (!IsTag(node, "p")) return true;
    const auto& s = stats.Of(node);
    if (s.text == 0 && s.images == 0 && s.embeds == 0) doomed.push_back(node);
    return false;
  });
  // An empty paragraph has no text: what the article holds is unchanged by removing them.
  const double text = stats.Of(article).text;
  for (auto* node : doomed) Unlink(node);
  return text;
}

}  // namespace tributary::parser::html
