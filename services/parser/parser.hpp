#pragma once
// The parser's single entry point: bytes in, normalized document out. Pure: no I/O, no clock
// (the fetch time comes in ParseInput), so the CLI, the stage and the tests run the same code.
#include "common/base/result.hpp"
#include "services/parser/limits.hpp"
#include "services/parser/parsed_document.hpp"

namespace tributary::parser {

// Detects the format from the content (the declared kind and Content-Type only break ties),
// decodes to UTF-8, reads and normalizes. An error (kPermanent, class "parse") means nothing
// usable was found; recoverable trouble is reported in ParsedDocument.warnings.
[[nodiscard]] Result<ParsedDocument> Parse(const ParseInput& input, const Limits& limits = {});

}  // namespace tributary::parser
