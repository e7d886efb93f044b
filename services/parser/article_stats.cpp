#include "services/parser/article_stats.hpp"

#include "services/parser/html_dom.hpp"
#include "services/parser/text_measure.hpp"

namespace tributary::parser::html {
namespace {

bool Textish(const Node* node) {
  return IsAnyTag(node, {"span", "li", "td", "blockquote", "dl", "div", "img", "ol", "p", "pre",
                         "table", "ul"});
}

}  // namespace

namespace {

const Node* Counted(const Node* text) {
  if (text->text_length == Node::kUncounted) {
    const auto measure = MeasureText(text->text);
    text->text_length = measure.length;
    text->text_commas = measure.commas;
  }
  return text;
}

}  // namespace

double CountedLength(const Node* text) { return Counted(text)->text_length; }
std::size_t CountedCommas(const Node* text) { return Counted(text)->text_commas; }

void CountText(Node* root) {
  Walk(root, [](Node* node) {
    if (IsText(node)) Counted(node);
    return IsElement(node);
  });
}

double LinkWeight(const Node* link) {
  const auto href = Attr(link, "href");
  return !href.empty() && href[0] == '#' ? 0.3 : 1.0;
}

void TreeStats::Compute(Node* root) {
  WalkChildrenFirst(root, [&](Node* element) { Refresh(element); });
  Refresh(root);
}

void TreeStats::Refresh(Node* element) {
  ElementStats stats;
  for (Node* child = element->first_child; child != nullptr; child = child->next) {
    if (IsText(child)) {
      stats.text += CountedLength(child);
      stats.commas += CountedCommas(child);
      continue;
    }
    if (!IsElement(child)) continue;
    const auto& c = Of(child);
    stats.text += c.text;
    stats.commas += c.commas;
    stats.paragraphs += c.paragraphs + (IsTag(child, "p") ? 1 : 0);
    stats.images += c.images + (IsTag(child, "img") ? 1 : 0);
    stats.list_items += c.list_items + (IsTag(child, "li") ? 1 : 0);
    stats.inputs += c.inputs + (IsTag(child, "input") ? 1 : 0);
    stats.embeds += c.embeds + (IsAnyTag(child, {"object", "embed", "iframe"}) ? 1 : 0);
    if (IsTag(child, "a")) {
      stats.link_text += c.text * LinkWeight(child);
    } else {
      stats.link_text += c.link_text;
    }
    stats.heading_text += IsHeading(child) ? c.text : c.heading_text;
    stats.list_text += IsAnyTag(child, {"ul", "ol"}) ? c.text : c.list_text;
    stats.textish_text += Textish(child) ? c.text : c.textish_text;
  }
  stats_[element] = stats;
}

const ElementStats& TreeStats::Of(const Node* element) const { return stats_.Get(element); }

}  // namespace tributary::parser::html
