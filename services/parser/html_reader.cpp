#include "services/parser/html_reader.hpp"

#include <libxml/HTMLparser.h>
#include <strings.h>

#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "services/parser/text.hpp"
#include "services/parser/xml_document.hpp"

namespace tributary::parser {
namespace {

constexpr int kOptions = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                         HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT;

bool NameIs(const xmlNode* node, const char* name) {
  return node->type == XML_ELEMENT_NODE && node->name != nullptr &&
         strcasecmp(reinterpret_cast<const char*>(node->name), name) == 0;
}

bool Skipped(const xmlNode* node) {
  for (const char* name : {"script", "style", "noscript", "nav", "header", "footer", "aside",
                           "form", "template", "svg", "iframe", "button", "select"}) {
    if (NameIs(node, name)) return true;
  }
  return false;
}

bool Block(const xmlNode* node) {
  for (const char* name : {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
                           "section", "article", "pre", "blockquote", "table", "ul", "ol"}) {
    if (NameIs(node, name)) return true;
  }
  return false;
}

// Iterative walks: a page may nest 100,000 elements deep and the stack must not care.
template <typename Visit>
void Walk(xmlNode* root, Visit&& visit) {
  std::vector<xmlNode*> stack{root};
  while (!stack.empty()) {
    xmlNode* node = stack.back();
    stack.pop_back();
    if (!visit(node)) continue;
    // Push children in reverse so they are visited in document order.
    std::vector<xmlNode*> children;
    for (xmlNode* child = node->children; child != nullptr; child = child->next) {
      children.push_back(child);
    }
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(*it);
  }
}

xmlNode* FindFirst(xmlNode* root, const char* name) {
  xmlNode* found = nullptr;
  Walk(root, [&](xmlNode* node) {
    if (found != nullptr) return false;
    if (NameIs(node, name)) {
      found = node;
      return false;
    }
    return true;
  });
  return found;
}

std::string MainText(xmlNode* container, std::size_t max_bytes) {
  std::string raw;
  Walk(container, [&](xmlNode* node) {
    if (raw.size() >= max_bytes * 2) return false;
    if (node->type == XML_TEXT_NODE && node->content != nullptr) {
      raw.append(reinterpret_cast<const char*>(node->content));
      return false;
    }
    if (node->type != XML_ELEMENT_NODE || Skipped(node)) return false;
    if (Block(node)) raw.push_back('\n');
    return true;
  });
  return CollapseWhitespace(raw);
}

}  // namespace

Result<void> ReadHtmlPage(std::string_view utf8, DocumentBuilder& builder) {
  builder.SetFormat(Format::kHtmlPage);
  if (utf8.size() > 512 * 1024 * 1024)
    return Fail(ErrorKind::kPermanent, "parse", "page too large");
  const std::string& url = builder.base_url();
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      htmlReadMemory(utf8.data(), static_cast<int>(utf8.size()),
                     url.empty() ? nullptr : url.c_str(), "UTF-8", kOptions),
      &xmlFreeDoc);
  xmlNode* root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
  if (root == nullptr) return Fail(ErrorKind::kPermanent, "parse", "not HTML: no root element");

  RawEntry entry;
  std::string title;
  std::string og_title;
  std::string og_description;
  std::string og_url;
  std::string site_name;
  std::string canonical;
  xmlNode* head = FindFirst(root, "head");
  Walk(head != nullptr ? head : root, [&](xmlNode* node) {
    if (node->type != XML_ELEMENT_NODE) return false;
    if (NameIs(node, "title") && title.empty()) {
      title = xml::Text(node, 64 * 1024);
    } else if (NameIs(node, "meta")) {
      auto key = xml::Attr(node, "property");
      if (key.empty()) key = xml::Attr(node, "name");
      for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto content = xml::Attr(node, "content");
      if (key == "description") entry.summary = content;
      if (key == "og:title") og_title = content;
      if (key == "og:description") og_description = content;
      if (key == "og:url") og_url = content;
      if (key == "og:site_name") site_name = content;
      if (key == "og:image" || key == "og:image:url")
        entry.enclosures.push_back({content, "image", 0});
      if (key == "article:published_time" || key == "datepublished") entry.published = content;
      if (key == "article:modified_time" || key == "og:updated_time") entry.updated = content;
      if (key == "author" || key == "article:author") entry.authors.push_back({.name = content});
      if (key == "article:tag" || key == "keywords") entry.categories.push_back(content);
      return false;
    } else if (NameIs(node, "link") && xml::Attr(node, "rel") == "canonical" && canonical.empty()) {
      canonical = xml::Attr(node, "href");
      return false;
    }
    return node == head || node == root || NameIs(node, "head") || NameIs(node, "html");
  });
  entry.title = og_title.empty() ? title : og_title;
  if (entry.summary.empty()) entry.summary = og_description;
  entry.link = !canonical.empty() ? canonical : (!og_url.empty() ? og_url : url);
  entry.language = xml::Attr(root, "lang");
  xmlNode* main = FindFirst(root, "article");
  if (main == nullptr) main = FindFirst(root, "main");
  if (main == nullptr) main = FindFirst(root, "body");
  entry.content = MainText(main != nullptr ? main : root, builder.limits().max_content_bytes);
  // The content is already plain text; escape what CleanText would read as markup.
  std::string escaped;
  escaped.reserve(entry.content.size());
  for (const char c : entry.content) {
    if (c == '&') {
      escaped += "&amp;";
    } else if (c == '<') {
      escaped += "&lt;";
    } else {
      escaped.push_back(c);
    }
  }
  entry.content = std::move(escaped);

  auto& meta = builder.metadata();
  meta.title = CleanText(site_name.empty() ? title : site_name, builder.limits().max_title_bytes);
  meta.link = url;
  meta.description = CleanText(entry.summary, builder.limits().max_summary_bytes);
  meta.language = CleanText(entry.language, 64);
  builder.AddEntry(std::move(entry));
  return {};
}

}  // namespace tributary::parser
