#pragma once
// Sitemaps (sitemaps.org): <urlset> with the image/news/video extensions' basics, <sitemapindex>
// whose children become sitemap fetches, and plain-text lists of URLs. Every listed URL becomes
// an item; with options.fetch_pages it is requested as a page instead (within the depth limit),
// and the page becomes the URL's item.
#include <string_view>

#include "services/parser/document_builder.hpp"
#include "services/parser/xml_document.hpp"

namespace tributary::parser {

void ReadSitemapXml(const xml::Document& document, DocumentBuilder& builder);
void ReadTextSitemap(std::string_view text, DocumentBuilder& builder);

}  // namespace tributary::parser
