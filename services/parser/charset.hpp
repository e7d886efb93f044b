#pragma once
// Every byte the parser hands on is valid UTF-8 (PostgreSQL refuses anything else). Documents
// declare their encoding in up to three places (BOM, HTTP charset, XML declaration / HTML meta)
// and these often disagree; DecodeToUtf8 decides which to believe.
#include <string>
#include <string_view>

namespace tributary::parser {

struct Decoded {
  std::string text;     // valid UTF-8, no NUL or other C0 controls but \t \n \r
  std::string charset;  // what was used, lower-case, e.g. "utf-8", "windows-1252"
  bool lossy = false;   // some bytes could not be decoded and were replaced by U+FFFD
};

// The charset parameter of a Content-Type header, lower-cased; empty when absent.
std::string CharsetFromContentType(std::string_view content_type);

// The order of belief: a BOM; UTF-16/32 recognised from the first bytes; bytes that are valid
// UTF-8 (declarations of a legacy charset over valid UTF-8 are a common lie, the reverse almost
// never happens by chance); then the HTTP charset, the XML declaration, an HTML <meta> charset;
// finally windows-1252, which decodes every byte (as browsers do for ISO-8859-1).
Decoded DecodeToUtf8(std::string_view body, std::string_view http_charset);
// The same decision without copying the common case: a body that is already clean UTF-8 is
// returned as a view of `body` itself (past a UTF-8 BOM); otherwise it is decoded into
// `out.text` and a view of that is returned. `out.charset` and `out.lossy` are set either way.
std::string_view DecodeToUtf8(std::string_view body, std::string_view http_charset, Decoded& out);

bool IsValidUtf8(std::string_view text);
// Valid UTF-8 and free of NUL and the C0 controls XML forbids: what SanitizeUtf8 leaves alone.
bool IsCleanUtf8(std::string_view text);

// Replaces invalid sequences with U+FFFD and drops NUL and C0 controls except \t \n \r (XML
// forbids them); returns the input unchanged when already clean.
std::string SanitizeUtf8(std::string_view text);
// The same for a string the caller gives up: returned as is (no copy) when already clean.
std::string SanitizeUtf8Owned(std::string&& text);

// Cuts to at most `max_bytes` without splitting a UTF-8 sequence.
void TruncateUtf8(std::string& text, std::size_t max_bytes);

}  // namespace tributary::parser
