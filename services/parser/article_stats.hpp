#pragma once
// What the article extractor weighs each element by, summed over its subtree in one pass from
// the leaves up: text length, link text, commas, and counts of paragraphs, images, list items,
// inputs and embeds. One pass keeps scoring linear on pages that nest 100,000 elements deep,
// where asking each element for its text would be quadratic.
#include <libxml/tree.h>

#include <cstddef>
#include <unordered_map>

namespace tributary::parser::html {

struct ElementStats {
  double text = 0;          // characters of text; a run of whitespace counts as one
  double link_text = 0;     // of those, inside <a> (links to '#...' weigh 0.3)
  double heading_text = 0;  // inside h1..h6
  double list_text = 0;     // inside ul/ol
  double textish_text = 0;  // inside span, li, td, p, div and the other text blocks
  std::size_t commas = 0;   // ',' and its CJK/Arabic forms
  // Descendants (the element itself not counted):
  std::size_t paragraphs = 0;
  std::size_t images = 0;
  std::size_t list_items = 0;
  std::size_t inputs = 0;
  std::size_t embeds = 0;  // object, embed, iframe

  [[nodiscard]] double LinkDensity() const { return text > 0 ? link_text / text : 0; }
};

class TreeStats {
 public:
  // (Re)computes every element at or below `root`.
  void Compute(xmlNode* root);
  // Recomputes one element from its own text and its element children's (current) stats: after
  // a child was removed, or for a node built during extraction.
  void Refresh(xmlNode* element);
  [[nodiscard]] const ElementStats& Of(const xmlNode* element) const;

 private:
  std::unordered_map<const xmlNode*, ElementStats> stats_;
};

// Characters of `text` with whitespace runs counted once (leading/trailing included).
double TextLength(const char* text);
std::size_t CommaCount(const char* text);

}  // namespace tributary::parser::html
