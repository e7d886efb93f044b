#pragma once
// What an element's class and id words say about it to the article extractor: chrome
// ("comment", "sidebar", "share"), content ("article", "body"), a byline. Worked out once per
// element of a page and kept in the node (Node::class_hints), which every attempt's copy
// keeps: the word lists are long and real pages' class attributes longer, so asking again per
// attempt and per cleaning step cost more than building the tree.
#include <cstdint>

#include "services/parser/html_dom.hpp"

namespace tributary::parser::html {

enum ClassHint : std::uint16_t {
  kHintsKnown = 1u << 0,
  kUnlikely = 1u << 1,        // class/id names chrome (comments, sidebars, footers, ads, ...)
  kMaybe = 1u << 2,           // ... but also content ("article", "body", "main"): kept
  kBylineWords = 1u << 3,     // "byline", "author", "dateline", ...
  kShareWords = 1u << 4,      // "share" or "sharedaddy" as a word: a share bar
  kClassNegative = 1u << 5,   // the class alone says chrome
  kClassPositive = 1u << 6,   // the class alone says content
  kIdNegative = 1u << 7,
  kIdPositive = 1u << 8,
};

// The element's hints, worked out on first use.
std::uint16_t ClassHints(const Node* node);
inline bool HasHint(const Node* node, ClassHint hint) { return (ClassHints(node) & hint) != 0; }

// +25 per attribute (class, id) whose words say content, -25 per one that says chrome.
int ClassWeight(const Node* node);

}  // namespace tributary::parser::html
