#pragma once
// An entry's HTML as downstream may show it: only elements and attributes known to be inert
// are kept (text formatting, lists, tables, links, images, audio/video sources, MathML), every
// URL in href/src/cite/poster is resolved against the entry's base (xml:base, else the
// document's URL) and kept only when it is http(s), mailto or ftp, script/style and their like
// go with their content, and what is left is well-formed (tags closed, attributes quoted, text
// escaped). Hand-written over the same tag scanning as HTML-to-text, for the same reason: it
// runs on every item.
#include <cstddef>
#include <string>
#include <string_view>

namespace tributary::parser {

// At most about `max_bytes` of output (cut at a tag or text boundary; open elements are closed).
std::string SanitizeHtml(std::string_view html, std::string_view base_url, std::size_t max_bytes);

}  // namespace tributary::parser
