// Media RSS (http://search.yahoo.com/mrss/), in RSS items and Atom entries alike: media:content
// are enclosures, media:group holds more of the same, and media:title / media:description
// stand in for an entry's own title and summary when it has none (video feeds often do).
#include <cstdlib>

#include "services/parser/feed_xml.hpp"
#include "services/parser/text.hpp"

namespace tributary::parser {

bool IsMedia(std::string_view space) {
  return space == ns::kMedia || space == ns::kMedia.substr(0, ns::kMedia.size() - 1);
}

void ReadMedia(const xmlNode* node, RawEntry& entry, MediaText& text, int depth) {
  const auto name = xml::Name(node);
  if (name == "content" && !xml::Attr(node, "url").empty()) {
    entry.enclosures.push_back({xml::Attr(node, "url"), xml::Attr(node, "type"),
                                std::atoll(xml::Attr(node, "fileSize").c_str())});
  } else if (name == "category") {
    auto label = xml::Attr(node, "label");
    entry.categories.push_back(label.empty() ? xml::Text(node) : std::move(label));
  } else if (name == "title" && text.title.empty()) {
    text.title = xml::Text(node);
  } else if (name == "description" && text.description.empty()) {
    text.description = xml::Text(node);
    // type="plain" (the default) is text; "html" is markup.
    if (xml::Attr(node, "type") != "html") text.description = EscapeHtml(text.description);
  } else if (name == "group" && depth < 4) {
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
      if (xml::IsElement(child) && IsMedia(xml::Namespace(child))) {
        ReadMedia(child, entry, text, depth + 1);
      }
    }
  }
}

void ApplyMediaText(MediaText& text, RawEntry& entry) {
  if (entry.title.empty()) entry.title = std::move(text.title);
  if (entry.summary.empty()) entry.summary = std::move(text.description);
}

}  // namespace tributary::parser
