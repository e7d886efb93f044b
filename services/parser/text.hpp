#pragma once
// Text as downstream wants it: HTML reduced to readable plain text, entities decoded,
// whitespace collapsed. Hand-written rather than a full HTML parse per field, because feeds
// carry HTML in nearly every item and this runs once per field on the hot path.
#include <string>
#include <string_view>

namespace tributary::parser {

// Decodes &name; (every HTML5 name, which includes XML's five), &#NNN; and &#xHH; / &#XHH;.
// Unknown names stay as written.
std::string DecodeEntities(std::string_view text);

// Plain text of an HTML fragment: tags dropped (block elements and <br> become line breaks),
// <script>, <style> and comments removed, entities decoded, whitespace collapsed.
std::string HtmlToText(std::string_view html);

// Plain text made safe to read as HTML: '&', '<' and '>' as references (a copy only when the
// text has any). HTML-to-text gives the text back exactly.
std::string EscapeHtml(std::string_view text);
// The same appended to `out`, '"' too when `quote` (for attribute values).
void AppendHtmlEscaped(std::string_view text, bool quote, std::string& out);

// Runs of spaces/tabs become one space, runs of blank lines one newline; trimmed.
std::string CollapseWhitespace(std::string_view text);

// True when the text contains something that looks like markup or an entity.
bool LooksLikeHtml(std::string_view text);

// Replaces C1 control characters (U+0080..U+009F) with what windows-1252 puts there: they come
// from cp1252 text mislabelled as latin-1 or from references like &#146;, and mean punctuation.
std::string FixC1Controls(std::string_view text);

// The code point windows-1252 gives a byte; U+FFFD for the five bytes it leaves undefined.
unsigned long Windows1252CodePoint(unsigned char byte);

// Appends the UTF-8 encoding of a code point (invalid ones become U+FFFD).
void AppendUtf8(std::string& out, unsigned long code_point);

}  // namespace tributary::parser
