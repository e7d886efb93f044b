#pragma once
// Base64 as feeds use it (Atom 0.3 `mode="base64"` text constructs, wrapped at any width), and
// as the protobuf JSON mapping writes bytes.
#include <optional>
#include <string>
#include <string_view>

namespace tributary::parser {

// Decodes standard base64 (RFC 4648 alphabet, '=' padding optional), ignoring whitespace;
// nullopt when any other character appears.
std::optional<std::string> DecodeBase64(std::string_view text);

// Appends standard base64 with '=' padding, on one line.
void AppendBase64(std::string_view bytes, std::string& out);

}  // namespace tributary::parser
