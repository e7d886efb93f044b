#pragma once
// The page path's HTML tree (built by html_parser.hpp): elements and text nodes in one arena
// per document, linked like a DOM, each with a number so that what the extractor computes per
// node lives in plain vectors. Removing a node only unlinks it; the arena frees everything
// with the document. Plus the small tests the article extractor reads nodes by: tag names,
// attributes, class/id words, and iterative walks (pages nest 100,000 elements deep).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <memory_resource>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tributary::parser::html {

// Elements that have no content and no end tag: the parser never opens them, OuterHtml never
// closes them.
inline constexpr std::string_view kVoidElements[] = {
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "hr", "img", "image", "input",
    "keygen", "link", "meta", "param", "source", "track", "wbr"};

struct Attribute {
  std::string_view name;  // lower case
  std::string_view value;  // entities decoded
};

struct Node {
  enum class Kind : std::uint8_t { kElement, kText };
  Kind kind = Kind::kElement;
  std::uint32_t id = 0;     // below its Document's size(): the index of per-node vectors
  std::string_view name;    // an element's tag, lower case
  std::string_view text;    // a text node's text, entities decoded
  std::span<const Attribute> attributes;
  // A text node's characters and commas as the article extractor counts them
  // (article_stats.hpp), once: kUncounted until then; copies keep them.
  static constexpr std::uint32_t kUncounted = UINT32_MAX;
  mutable std::uint32_t text_length = kUncounted;
  mutable std::uint32_t text_commas = 0;
  // An element's class_hints.hpp bits, worked out once; copies keep them.
  mutable std::uint16_t class_hints = 0;
  Node* parent = nullptr;
  Node* first_child = nullptr;
  Node* last_child = nullptr;
  Node* prev = nullptr;
  Node* next = nullptr;
};

class Document {
 public:
  Document();
  Document(Document&&) noexcept = default;
  Document& operator=(Document&&) noexcept = default;
  ~Document();

  // The <html> element (always there).
  [[nodiscard]] Node* root() const { return root_; }
  // Nodes made so far: every node's id is below this.
  [[nodiscard]] std::size_t size() const { return size_; }

  // `name`, `text` and attribute strings must live as long as the document: the parser passes
  // views of the page (which outlives it) or of Store()'s copies.
  Node* NewElement(std::string_view name, std::span<const Attribute> attributes = {});
  Node* NewText(std::string_view text);
  std::string_view Store(std::string_view text);
  std::span<const Attribute> Store(std::span<const Attribute> attributes);
  // A deep copy of `node`, not linked anywhere (the copies share the original's strings).
  Node* Copy(const Node* node);

 private:
  Node* NewNode();
  Node* CopyOne(const Node* node);  // the node alone, unlinked

  std::unique_ptr<std::pmr::monotonic_buffer_resource> arena_;
  Node* root_ = nullptr;
  std::size_t size_ = 0;
};

void AppendChild(Node* parent, Node* child);
// Puts `node` just before `sibling`, under the same parent.
void InsertBefore(Node* sibling, Node* node);
// Takes `node` (and its subtree) out of the tree.
void Unlink(Node* node);
// `replacement` takes `node`'s place; `node` ends unlinked.
void Replace(Node* node, Node* replacement);

// The element's markup and everything inside it (text escaped, void elements without an end
// tag): the article handed to Normalize, which sanitizes it.
std::string OuterHtml(const Node* node);

inline bool IsElement(const Node* node) {
  return node != nullptr && node->kind == Node::Kind::kElement;
}
inline bool IsText(const Node* node) { return node != nullptr && node->kind == Node::Kind::kText; }
inline std::string_view Tag(const Node* node) {
  return IsElement(node) ? node->name : std::string_view();
}
// Tag names differ in their first letter far more often than not: compare that before the
// call to memcmp that std::string_view's == makes.
inline bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || (a[0] == b[0] && a == b));
}
inline bool IsTag(const Node* node, std::string_view name) {
  return SameName(Tag(node), name);
}
inline bool IsAnyTag(const Node* node, std::initializer_list<std::string_view> names) {
  const auto tag = Tag(node);
  if (tag.empty()) return false;
  for (const auto name : names) {
    if (SameName(tag, name)) return true;
  }
  return false;
}
bool IsHeading(const Node* node);  // h1..h6

// The attribute's value (empty when absent).
std::string_view Attr(const Node* node, std::string_view name);
bool HasAttr(const Node* node, std::string_view name);

std::vector<Node*> ElementChildren(const Node* node);
// Renames an element in place (`name` must outlive the document: a literal).
inline void Rename(Node* node, std::string_view name) { node->name = name; }

// A value per node, by id, for the nodes made at or after `first` (say, an attempt's copy of
// the body and what was made after it): the table stays as small as what it describes.
// Nodes without a value read as T{}.
template <typename T>
class NodeTable {
 public:
  explicit NodeTable(std::uint32_t first = 0) : first_(first) {}

  // Room for the nodes up to (not including) id `end`, so that filling it never moves it.
  void Reserve(std::size_t end) {
    if (end > first_) values_.reserve(end - first_);
  }

  T& operator[](const Node* node) {
    if (node->id < first_) {  // not expected; kept correct all the same
      values_.insert(values_.begin(), first_ - node->id, T{});
      first_ = node->id;
    }
    const auto index = Index(node);
    if (index >= values_.size()) values_.resize(index + 1);
    return values_[index];
  }
  [[nodiscard]] const T& Get(const Node* node) const {
    static const T kNone{};
    const auto index = Index(node);
    return index < values_.size() ? values_[index] : kNone;
  }

 private:
  // Nodes made before `first` land past any real index, so they read T{}.
  [[nodiscard]] std::size_t Index(const Node* node) const {
    return node->id >= first_ ? node->id - first_ : SIZE_MAX;
  }
  std::uint32_t first_;
  std::vector<T> values_;
};

// Visits nodes in document order, iteratively. `visit` returns whether to descend; it may
// remove or replace the node's children before returning, but never the node itself.
template <typename Visit>
void Walk(Node* root, Visit&& visit) {
  std::vector<Node*> stack{root};
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    if (!visit(node)) continue;
    const auto first = stack.size();
    for (Node* child = node->first_child; child != nullptr; child = child->next) {
      stack.push_back(child);
    }
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
  }
}

// Visits the elements below `root` children-first (each after all of its descendants),
// iteratively; `visit` may remove the node it is given.
template <typename Visit>
void WalkChildrenFirst(Node* root, Visit&& visit) {
  // Each entry: a node and whether its children were already pushed.
  std::vector<std::pair<Node*, bool>> stack;
  for (Node* child = root->first_child; child != nullptr; child = child->next) {
    if (IsElement(child)) stack.emplace_back(child, false);
  }
  std::reverse(stack.begin(), stack.end());
  while (!stack.empty()) {
    auto& [node, expanded] = stack.back();
    if (expanded) {
      Node* done = node;
      stack.pop_back();
      visit(done);
      continue;
    }
    expanded = true;
    Node* parent = node;
    const auto first = stack.size();
    for (Node* child = parent->first_child; child != nullptr; child = child->next) {
      if (IsElement(child)) stack.emplace_back(child, false);
    }
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
  }
}

}  // namespace tributary::parser::html
