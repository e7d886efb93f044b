#include "services/parser/html_dom.hpp"

#include <cstring>
#include <new>

#include "common/base/ascii.hpp"
#include "services/parser/text.hpp"

namespace tributary::parser::html {
namespace {

bool IsVoid(std::string_view tag) {
  for (const auto name : kVoidElements) {
    if (SameName(tag, name)) return true;
  }
  return false;
}

// A name the sanitizer (and any HTML reader) reads back as one: browsers keep `"` or `<` in an
// attribute's name, and written out they would end the tag early.
bool WritableName(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                    c == ':' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Document::Document() : arena_(std::make_unique<std::pmr::monotonic_buffer_resource>(64 * 1024)) {
  root_ = NewElement("html");
}

Document::~Document() = default;

Node* Document::NewNode() {
  auto* node = new (arena_->allocate(sizeof(Node), alignof(Node))) Node{};
  node->id = static_cast<std::uint32_t>(size_++);
  return node;
}

Node* Document::NewElement(std::string_view name, std::span<const Attribute> attributes) {
  Node* node = NewNode();
  node->name = name;
  node->attributes = attributes;
  return node;
}

Node* Document::NewText(std::string_view text) {
  Node* node = NewNode();
  node->kind = Node::Kind::kText;
  node->text = text;
  return node;
}

std::string_view Document::Store(std::string_view text) {
  if (text.empty()) return {};
  auto* bytes = static_cast<char*>(arena_->allocate(text.size(), 1));
  std::memcpy(bytes, text.data(), text.size());
  return {bytes, text.size()};
}

std::span<const Attribute> Document::Store(std::span<const Attribute> attributes) {
  if (attributes.empty()) return {};
  auto* stored = static_cast<Attribute*>(
      arena_->allocate(attributes.size() * sizeof(Attribute), alignof(Attribute)));
  std::uninitialized_copy(attributes.begin(), attributes.end(), stored);
  return {stored, attributes.size()};
}

Node* Document::CopyOne(const Node* node) {
  Node* copy = NewNode();
  copy->kind = node->kind;
  copy->name = node->name;
  copy->text = node->text;
  copy->attributes = node->attributes;
  copy->text_length = node->text_length;
  copy->text_commas = node->text_commas;
  copy->class_hints = node->class_hints;
  return copy;
}

Node* Document::Copy(const Node* node) {
  Node* top = CopyOne(node);
  // (original, its copy) pairs whose children are still to copy.
  std::vector<std::pair<const Node*, Node*>> stack{{node, top}};
  while (!stack.empty()) {
    auto [from, to] = stack.back();
    stack.pop_back();
    for (const Node* child = from->first_child; child != nullptr; child = child->next) {
      Node* copy = CopyOne(child);
      AppendChild(to, copy);
      if (child->first_child != nullptr) stack.emplace_back(child, copy);
    }
  }
  return top;
}

void AppendChild(Node* parent, Node* child) {
  child->parent = parent;
  child->prev = parent->last_child;
  child->next = nullptr;
  if (parent->last_child != nullptr) {
    parent->last_child->next = child;
  } else {
    parent->first_child = child;
  }
  parent->last_child = child;
}

void InsertBefore(Node* sibling, Node* node) {
  Node* parent = sibling->parent;
  node->parent = parent;
  node->next = sibling;
  node->prev = sibling->prev;
  if (sibling->prev != nullptr) {
    sibling->prev->next = node;
  } else if (parent != nullptr) {
    parent->first_child = node;
  }
  sibling->prev = node;
}

void Unlink(Node* node) {
  if (node->prev != nullptr) {
    node->prev->next = node->next;
  } else if (node->parent != nullptr) {
    node->parent->first_child = node->next;
  }
  if (node->next != nullptr) {
    node->next->prev = node->prev;
  } else if (node->parent != nullptr) {
    node->parent->last_child = node->prev;
  }
  node->parent = node->prev = node->next = nullptr;
}

void Replace(Node* node, Node* replacement) {
  Unlink(replacement);
  InsertBefore(node, replacement);
  Unlink(node);
}

std::string OuterHtml(const Node* node) {
  std::string out;
  // Each entry: a node, and whether it is the end tag still to write.
  std::vector<std::pair<const Node*, bool>> stack{{node, false}};
  while (!stack.empty()) {
    auto [n, closing] = stack.back();
    stack.pop_back();
    if (closing) {
      out.append("</").append(n->name).push_back('>');
      continue;
    }
    if (IsText(n)) {
      AppendHtmlEscaped(n->text, /*quote=*/false, out);
      continue;
    }
    out.append("<").append(n->name);
    for (const auto& attribute : n->attributes) {
      if (!WritableName(attribute.name)) continue;
      out.append(" ").append(attribute.name).append("=\"");
      AppendHtmlEscaped(attribute.value, /*quote=*/true, out);
      out.push_back('"');
    }
    out.push_back('>');
    if (IsVoid(n->name)) continue;
    stack.emplace_back(n, true);
    const auto first = stack.size();
    for (const Node* child = n->first_child; child != nullptr; child = child->next) {
      stack.emplace_back(child, false);
    }
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
  }
  return out;
}

bool IsHeading(const Node* node) {
  const auto tag = Tag(node);
  return tag.size() == 2 && tag[0] == 'h' && tag[1] >= '1' && tag[1] <= '6';
}

std::string_view Attr(const Node* node, std::string_view name) {
  if (!IsElement(node)) return {};
  for (const auto& attribute : node->attributes) {
    if (SameName(attribute.name, name)) return attribute.value;
  }
  return {};
}

bool HasAttr(const Node* node, std::string_view name) {
  if (!IsElement(node)) return false;
  for (const auto& attribute : node->attributes) {
    if (SameName(attribute.name, name)) return true;
  }
  return false;
}

std::vector<Node*> ElementChildren(const Node* node) {
  std::vector<Node*> out;
  for (Node* child = node->first_child; child != nullptr; child = child->next) {
    if (IsElement(child)) out.push_back(child);
  }
  return out;
}

}  // namespace tributary::parser::html
