#pragma once
// What the article extractor weighs each element by, summed over its subtree in one pass from
// the leaves up: text length, link text, commas, and counts of paragraphs, images, list items,
// inputs and embeds. One pass keeps scoring linear on pages that nest 100,000 elements deep,
// where asking each element for its text would be quadratic.
#include <cstddef>
#include <cstdint>

#include "services/parser/html_dom.hpp"

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

// How much an <a>'s text counts as link text: a link to '#...' (an anchor on the page) 0.3.
double LinkWeight(const Node* link);

class TreeStats {
 public:
  // `first`: the lowest node id it will be asked about (NodeTable).
  explicit TreeStats(std::uint32_t first = 0) : stats_(first) {}
  // Room for the nodes below id `end` (a document's size() and some to spare).
  void Reserve(std::size_t end) { stats_.Reserve(end); }

  // (Re)computes every element at or below `root`.
  void Compute(Node* root);
  // Recomputes one element from its own text and its element children's (current) stats: after
  // a child was removed, or for a node built during extraction.
  void Refresh(Node* element);
  // Zero for an element never computed.
  [[nodiscard]] const ElementStats& Of(const Node* element) const;

 private:
  NodeTable<ElementStats> stats_;
};

// A text node's MeasureText (text_measure.hpp), counted once and kept in the node (and the
// copies made after).
double CountedLength(const Node* text);
std::size_t CountedCommas(const Node* text);
// Counts every text node below `root` now, so that the copies each attempt makes share them.
void CountText(Node* root);

}  // namespace tributary::parser::html
