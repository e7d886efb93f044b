#include "services/parser/html_dom.hpp"

#include <cstring>

#include "common/base/ascii.hpp"

namespace tributary::parser::html {

bool IsAnyTag(const xmlNode* node, std::initializer_list<std::string_view> names) {
  const auto tag = Tag(node);
  if (tag.empty()) return false;
  for (const auto name : names) {
    if (tag == name) return true;
  }
  return false;
}

bool IsHeading(const xmlNode* node) {
  const auto tag = Tag(node);
  return tag.size() == 2 && tag[0] == 'h' && tag[1] >= '1' && tag[1] <= '6';
}

std::string Attr(const xmlNode* node, const char* name) {
  if (!IsElement(node)) return {};
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (attr->name == nullptr || std::strcmp(reinterpret_cast<const char*>(attr->name), name) != 0)
      continue;
    std::string value;
    for (const xmlNode* text = attr->children; text != nullptr; text = text->next) {
      if (text->content != nullptr) value.append(reinterpret_cast<const char*>(text->content));
    }
    return value;
  }
  return {};
}

bool HasAttr(const xmlNode* node, const char* name) {
  if (!IsElement(node)) return false;
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (attr->name != nullptr && std::strcmp(reinterpret_cast<const char*>(attr->name), name) == 0)
      return true;
  }
  return false;
}

std::string ClassAndId(const xmlNode* node) {
  return AsciiLower(Attr(node, "class") + " " + Attr(node, "id"));
}

bool ContainsAny(std::string_view text, std::initializer_list<std::string_view> words) {
  for (const auto word : words) {
    if (text.find(word) != std::string_view::npos) return true;
  }
  return false;
}

std::vector<xmlNode*> ElementChildren(const xmlNode* node) {
  std::vector<xmlNode*> out;
  for (xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (IsElement(child)) out.push_back(child);
  }
  return out;
}

void Remove(xmlNode* node) {
  xmlUnlinkNode(node);
  xmlFreeNode(node);
}

void Rename(xmlNode* node, const char* name) {
  xmlNodeSetName(node, reinterpret_cast<const xmlChar*>(name));
}

}  // namespace tributary::parser::html
