#include "services/parser/article_stats.hpp"

#include "services/parser/html_dom.hpp"

namespace tributary::parser::html {
namespace {

bool IsSpaceByte(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

bool Textish(const xmlNode* node) {
  return IsAnyTag(node, {"span", "li", "td", "blockquote", "dl", "div", "img", "ol", "p", "pre",
                         "table", "ul"});
}

const ElementStats kNone{};

}  // namespace

double TextLength(const char* text) {
  double length = 0;
  bool space = false;
  bool any = false;
  for (const auto* p = reinterpret_cast<const unsigned char*>(text); *p != 0; ++p) {
    if (IsSpaceByte(*p)) {
      space = true;
      continue;
    }
    if ((*p & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte: the same character
    if (space && any) ++length;
    space = false;
    any = true;
    ++length;
  }
  // Whitespace around the words separates them from their neighbours: one each side at most.
  if (any) {
    const auto* begin = reinterpret_cast<const unsigned char*>(text);
    if (IsSpaceByte(*begin)) ++length;
    if (space) ++length;
  }
  return length;
}

std::size_t CommaCount(const char* text) {
  std::size_t count = 0;
  for (const auto* p = reinterpret_cast<const unsigned char*>(text); *p != 0; ++p) {
    if (*p == ',') {
      ++count;
    } else if (*p == 0xD8 && p[1] == 0x8C) {  // U+060C Arabic comma
      ++count;
    } else if (*p == 0xEF && ((p[1] == 0xB9 && p[2] == 0x90) ||   // U+FE50 small comma
                              (p[1] == 0xB8 && p[2] == 0x90) ||   // U+FE10 vertical comma
                              (p[1] == 0xB8 && p[2] == 0x91) ||   // U+FE11 ideographic, vertical
                              (p[1] == 0xBC && p[2] == 0x8C))) {  // U+FF0C fullwidth comma
      ++count;
    } else if (*p == 0xE3 && p[1] == 0x80 && p[2] == 0x81) {  // U+3001 ideographic comma
      ++count;
    }
  }
  return count;
}

void TreeStats::Compute(xmlNode* root) {
  WalkChildrenFirst(root, [&](xmlNode* element) { Refresh(element); });
  Refresh(root);
}

void TreeStats::Refresh(xmlNode* element) {
  ElementStats stats;
  for (xmlNode* child = element->children; child != nullptr; child = child->next) {
    if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
      if (child->content == nullptr) continue;
      stats.text += TextLength(reinterpret_cast<const char*>(child->content));
      stats.commas += CommaCount(reinterpret_cast<const char*>(child->content));
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
      const auto href = Attr(child, "href");
      stats.link_text += c.text * (!href.empty() && href[0] == '#' ? 0.3 : 1.0);
    } else {
      stats.link_text += c.link_text;
    }
    stats.heading_text += IsHeading(child) ? c.text : c.heading_text;
    stats.list_text += IsAnyTag(child, {"ul", "ol"}) ? c.text : c.list_text;
    stats.textish_text += Textish(child) ? c.text : c.textish_text;
  }
  stats_[element] = stats;
}

const ElementStats& TreeStats::Of(const xmlNode* element) const {
  const auto found = stats_.find(element);
  return found == stats_.end() ? kNone : found->second;
}

}  // namespace tributary::parser::html
