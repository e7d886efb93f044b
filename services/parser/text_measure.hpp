#pragma once
// How much text a run of page text is to the article extractor, in one pass: characters, with
// each run of whitespace counted as one (leading and trailing runs included, so a text node
// keeps its separation from its neighbours; whitespace alone counts 0), and commas (',' and
// its Arabic and CJK forms). Every text node of a page is measured once, so this pass is on
// the page path's hot loop: 16 bytes per step with SSE2 on x86-64.
#include <cstdint>
#include <string_view>

namespace tributary::parser {

struct TextMeasure {
  std::uint32_t length = 0;
  std::uint32_t commas = 0;
};

TextMeasure MeasureText(std::string_view text);

}  // namespace tributary::parser
