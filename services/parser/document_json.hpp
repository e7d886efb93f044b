#pragma once
// A parsed document as one JSON object, for `tributary parse` and the conformance test: the
// document's metadata, warnings, children, and every item in the protobuf JSON mapping.
#include <string>

#include "services/parser/parsed_document.hpp"

namespace tributary::parser {

// Pretty-printed with `indent` spaces (-1: one line).
std::string ToJson(const ParsedDocument& document, int indent = 2);

}  // namespace tributary::parser
