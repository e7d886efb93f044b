#pragma once
// A parsed document as one JSON object, for `tributary parse` and the conformance test: the
// document's metadata, warnings, children, and every item in the protobuf JSON mapping.
#include <cstdio>

#include "services/parser/parsed_document.hpp"

namespace tributary::parser {

// Writes the document to `out`, pretty-printed with `indent` spaces (-1: one line), and a final
// newline; false when writing failed.
bool WriteJson(const ParsedDocument& document, int indent, std::FILE* out);

}  // namespace tributary::parser
