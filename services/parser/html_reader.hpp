#pragma once
// A web page as one item: its metadata (page_metadata.hpp) and its article, chosen by content
// scoring (article_extractor.hpp), as the item's content markup. Our own HTML parser
// (html_parser.hpp).
#include <string_view>

#include "common/base/result.hpp"
#include "services/parser/document_builder.hpp"

namespace tributary::parser {

[[nodiscard]] Result<void> ReadHtmlPage(std::string_view utf8, DocumentBuilder& builder);

}  // namespace tributary::parser
