#include "services/parser/html_reader.hpp"

#include <utility>

#include "services/parser/article_extractor.hpp"
#include "services/parser/html_dom.hpp"
#include "services/parser/html_parser.hpp"
#include "services/parser/page_metadata.hpp"
#include "services/parser/text.hpp"

namespace tributary::parser {
namespace {

html::Node* FindFirst(html::Node* root, std::string_view name) {
  html::Node* found = nullptr;
  html::Walk(root, [&](html::Node* node) {
    if (found != nullptr || !html::IsElement(node)) return false;
    if (html::IsTag(node, name)) {
      found = node;
      return false;
    }
    return true;
  });
  return found;
}

}  // namespace

Result<void> ReadHtmlPage(std::string_view utf8, DocumentBuilder& builder) {
  builder.SetFormat(Format::kHtmlPage);
  if (utf8.size() > 512 * 1024 * 1024)
    return Fail(ErrorKind::kPermanent, "parse", "page too large");
  const std::string& url = builder.base_url();
  auto doc = html::ParseHtml(utf8);
  html::Node* root = doc.root();
  if (root->first_child == nullptr) {
    return Fail(ErrorKind::kPermanent, "parse", "empty page: no elements and no text");
  }

  auto page = ReadPageMetadata(root);
  RawEntry entry;
  entry.title = page.title;
  entry.summary = page.description;
  entry.link = !page.canonical.empty() ? page.canonical : url;
  entry.language = page.language;
  entry.published = page.published;
  entry.updated = page.modified;
  if (!page.image.empty()) entry.enclosures.push_back({page.image, "image", 0});
  for (auto& name : page.authors) entry.authors.push_back({.name = std::move(name)});
  entry.categories = std::move(page.keywords);
  html::Node* body = FindFirst(root, "body");
  auto article = ExtractArticle(doc, body != nullptr ? body : root, page.title);
  // The article's markup: the text keeps its paragraphs and headings as line breaks, and
  // content_html keeps the markup itself (sanitized by Normalize).
  entry.content = std::move(article.html);
  if (entry.authors.empty() && !article.byline.empty()) {
    entry.authors.push_back({.name = std::move(article.byline)});
  }

  auto& meta = builder.metadata();
  meta.title = CleanText(page.site_name.empty() ? page.document_title : page.site_name,
                         builder.limits().max_title_bytes);
  meta.link = url;
  meta.description = CleanText(entry.summary, builder.limits().max_summary_bytes);
  meta.language = CleanText(entry.language, 64);
  builder.AddEntry(std::move(entry));
  return {};
}

}  // namespace tributary::parser
