#pragma once
// The HTML5 named character references (&aacute; &nbsp; &mdash; &NotEqualTilde; ...): 2,125
// names, generated at build time from the WHATWG list (html_entities_gen.py). Feeds use them
// everywhere, in escaped HTML and, though XML does not define them, in the XML itself.
#include <optional>
#include <string_view>

namespace tributary::parser {

// The UTF-8 text of a named reference, by its name without '&' and ';' (case-sensitive:
// "Aacute" and "aacute" differ); nullopt for a name HTML does not define.
std::optional<std::string_view> HtmlEntity(std::string_view name);

}  // namespace tributary::parser
