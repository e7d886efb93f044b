#pragma once
// JSON from documents we do not control, parsed with a nesting limit checked first: nlohmann's
// DOM (and every walk over it) is recursive, so "[[[[..." 200,000 deep would take the stack.
#include <nlohmann/json.hpp>

#include <string_view>

#include "common/base/result.hpp"

namespace tributary::parser {

// kPermanent "parse" errors: "JSON nested deeper than N levels", "invalid JSON".
Result<nlohmann::json> ParseBoundedJson(std::string_view text, int max_depth);

}  // namespace tributary::parser
