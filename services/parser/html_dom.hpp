#pragma once
// Small helpers over a libxml2 HTML tree (htmlReadMemory lowercases element names): tag tests,
// attribute reads, removal, and the class/id word tests the article extractor scores by.
#include <libxml/tree.h>

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tributary::parser::html {

inline bool IsElement(const xmlNode* node) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->name != nullptr;
}
inline std::string_view Tag(const xmlNode* node) {
  return IsElement(node) ? std::string_view(reinterpret_cast<const char*>(node->name))
                         : std::string_view();
}
inline bool IsTag(const xmlNode* node, std::string_view name) { return Tag(node) == name; }
bool IsAnyTag(const xmlNode* node, std::initializer_list<std::string_view> names);
bool IsHeading(const xmlNode* node);  // h1..h6

// The attribute's value as written (empty when absent).
std::string Attr(const xmlNode* node, const char* name);
bool HasAttr(const xmlNode* node, const char* name);
// "class id", lowercased: what the class/id word tests read.
std::string ClassAndId(const xmlNode* node);
// Whether `text` (lowercased) contains any of `words`.
bool ContainsAny(std::string_view text, std::initializer_list<std::string_view> words);

std::vector<xmlNode*> ElementChildren(const xmlNode* node);
// Unlinks and frees `node` with its subtree.
void Remove(xmlNode* node);
// Renames an element in place (libxml2 owns the name string through the document's dictionary
// or the heap; xmlNodeSetName handles both).
void Rename(xmlNode* node, const char* name);

// Visits elements in document order, iteratively (pages nest 100,000 elements deep). `visit`
// returns whether to descend; it may remove or replace the node's children before returning,
// but never the node itself (use `WalkRemovable`).
template <typename Visit>
void Walk(xmlNode* root, Visit&& visit) {
  std::vector<xmlNode*> stack{root};
  while (!stack.empty()) {
    xmlNode* node = stack.back();
    stack.pop_back();
    if (!visit(node)) continue;
    const auto first = stack.size();
    for (xmlNode* child = node->children; child != nullptr; child = child->next) {
      stack.push_back(child);
    }
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
  }
}

// Visits the elements below `root` children-first (each after all of its descendants),
// iteratively; `visit` may remove the node it is given.
template <typename Visit>
void WalkChildrenFirst(xmlNode* root, Visit&& visit) {
  // Each entry: a node and whether its children were already pushed.
  std::vector<std::pair<xmlNode*, bool>> stack;
  for (xmlNode* child = root->children; child != nullptr; child = child->next) {
    if (IsElement(child)) stack.emplace_back(child, false);
  }
  std::reverse(stack.begin(), stack.end());
  while (!stack.empty()) {
    auto& [node, expanded] = stack.back();
    if (expanded) {
      xmlNode* done = node;
      stack.pop_back();
      visit(done);
      continue;
    }
    expanded = true;
    xmlNode* parent = node;
    const auto first = stack.size();
    for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
      if (IsElement(child)) stack.emplace_back(child, false);
    }
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
  }
}

}  // namespace tributary::parser::html
