#pragma once
// A web page as one item: title, meta description, canonical link, Open Graph, and the main
// text (the <article> or <main> element when there is one, else <body>, without navigation,
// headers, footers, forms and scripts). libxml2's HTML parser, no network.
#include <string_view>

#include "common/base/result.hpp"
#include "services/parser/document_builder.hpp"

namespace tributary::parser {

[[nodiscard]] Result<void> ReadHtmlPage(std::string_view utf8, DocumentBuilder& builder);

}  // namespace tributary::parser
