#pragma once
// JSON documents: JSON Feed 1.0/1.1 (jsonfeed.org) and JSON APIs read through the source's
// field mapping (FetchRequest.options.json_mapping: field -> JSON pointer).
#include <string_view>

#include "common/base/result.hpp"
#include "services/parser/document_builder.hpp"

namespace tributary::parser {

// True when the text's top-level object declares a jsonfeed.org version.
bool LooksLikeJsonFeed(std::string_view text);

// Also reads feeds that forgot the jsonfeed.org version URL but have an "items" array.
[[nodiscard]] Result<void> ReadJsonFeed(std::string_view text, DocumentBuilder& builder);

// Mapping keys: "items" (pointer to the array of items; the root when absent), and per item
// "id", "url", "title", "summary", "content", "published", "updated", "author", "categories",
// "language", "image"; "feed_title" and "feed_link" apply to the whole document.
[[nodiscard]] Result<void> ReadJsonApi(std::string_view text, DocumentBuilder& builder);

}  // namespace tributary::parser
