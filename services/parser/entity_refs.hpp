#pragma once
// XML defines five named entities; feeds use all of HTML's (&aacute; &nbsp; &mdash; ...) in the
// XML itself, and libxml2 drops a reference it cannot resolve, text and all ("testing  entity").
// So before parsing, each reference that HTML defines and XML does not becomes numeric
// character references (&aacute; -> &#225;), and "&#X41;" (uppercase X, which XML rejects and
// libxml2 then prints literally) becomes "&#x41;". An ampersand that starts no reference
// ("?a=1&b=2", "R&D", "&bogus;") is the character the author wrote and becomes "&amp;" (libxml2
// would drop it and the name after it). Text and attribute values alike; CDATA
// sections and comments hold no references and are left alone, as are names the document's
// own DTD subset declares (those are the document's to define).
#include <optional>
#include <string>
#include <string_view>

namespace tributary::parser {

// The document with those references rewritten, or nullopt when it has none.
std::optional<std::string> WithXmlEntityRefs(std::string_view document);

}  // namespace tributary::parser
