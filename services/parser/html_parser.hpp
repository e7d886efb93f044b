#pragma once
// Web pages into our HTML tree (html_dom.hpp), in one pass without copying what needs no
// decoding: a tokenizer and the parts of HTML5's tree construction that decide where article
// text ends up (implied <html>/<head>/<body>, paragraphs, list items, table cells and headings
// closed by what follows them, stray end tags ignored, <script>/<style>/<title> read as raw
// text). What it leaves out (re-opened formatting elements, foster-parented table text, an
// implied <tbody>) moves no text between blocks. Comments, doctypes and processing
// instructions are dropped.
#include <string_view>

#include "services/parser/html_dom.hpp"

namespace tributary::parser::html {

// `utf8` must outlive the document: names, values and text that need no decoding are views of
// it.
Document ParseHtml(std::string_view utf8);

}  // namespace tributary::parser::html
