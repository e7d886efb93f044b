#pragma once
// A v1::Item in the protobuf JSON mapping (camelCase names, int64 as strings, RFC 3339
// timestamps, base64 bytes, default values left out, fields in number order), written directly:
// protobuf's printer builds a type-resolver tree per message and cost more than the parse on a
// 10,000-item feed. The values are the printer's (item_json_test compares them field by field
// on every corpus document); string escapes may differ where JSON allows a choice.
#include <string>

#include "tributary/v1/item.pb.h"

namespace tributary::parser {

void AppendItemJson(const v1::Item& item, std::string& out);

}  // namespace tributary::parser
