#include "services/cli/opml.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>

namespace tributary::cli {
namespace {

std::string Attribute(xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return out;
}

void Collect(xmlNode* node, std::vector<OpmlFeed>* feeds, int depth) {
  // Real exports nest a few folders deep; this bound only stops a hostile file.
  if (depth > 64) return;
  for (xmlNode* child = node; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    if (xmlStrcmp(child->name, reinterpret_cast<const xmlChar*>("outline")) == 0) {
      auto url = Attribute(child, "xmlUrl");
      if (!url.empty()) {
        auto title = Attribute(child, "title");
        if (title.empty()) title = Attribute(child, "text");
        feeds->push_back({std::move(url), std::move(title)});
      }
    }
    Collect(child->children, feeds, depth + 1);
  }
}

}  // namespace

Result<std::vector<OpmlFeed>> ParseOpml(const std::string& document) {
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      xmlReadMemory(document.data(), static_cast<int>(document.size()), "opml.xml", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      &xmlFreeDoc);
  if (!doc) {
    const xmlError* error = xmlGetLastError();
    return Fail(ErrorKind::kPermanent, "opml",
                std::string("not well-formed XML: ") +
                    (error != nullptr && error->message != nullptr ? error->message : "unknown"));
  }
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || xmlStrcmp(root->name, reinterpret_cast<const xmlChar*>("opml")) != 0) {
    return Fail(ErrorKind::kPermanent, "opml", "the root element is not <opml>");
  }
  std::vector<OpmlFeed> feeds;
  Collect(root->children, &feeds, 0);
  return feeds;
}

}  // namespace tributary::cli
