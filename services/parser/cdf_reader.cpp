// CDF, Microsoft's Channel Definition Format (1997, Internet Explorer 4's "channels"): a
// <CHANNEL HREF=".." LASTMOD=".."> with <TITLE>, <ABSTRACT> and <ITEM HREF LASTMOD> children,
// possibly nested channels. Element and attribute names are matched in any case, as CDF's
// readers did.
#include <strings.h>
#include <utility>

#include "services/parser/dates.hpp"
#include "services/parser/feed_xml.hpp"

namespace tributary::parser {
namespace {

bool NameIs(const xmlNode* node, const char* name) {
  return xml::IsElement(node) && node->name != nullptr &&
         strcasecmp(reinterpret_cast<const char*>(node->name), name) == 0;
}

std::string AttrAnyCase(const xmlNode* node, const char* name) {
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (attr->name != nullptr && strcasecmp(reinterpret_cast<const char*>(attr->name), name) == 0) {
      return xml::Attr(node, reinterpret_cast<const char*>(attr->name));
    }
  }
  return {};
}

std::string ChildTextAnyCase(const xmlNode* node, const char* name) {
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (NameIs(child, name)) return xml::Text(child);
  }
  return {};
}

void ReadItems(const xml::Document& document, const xmlNode* channel, DocumentBuilder& builder,
               int depth) {
  for (const xmlNode* child = channel->children; child != nullptr; child = child->next) {
    if (NameIs(child, "CHANNEL") && depth < 8) {
      ReadItems(document, child, builder, depth + 1);
    } else if (NameIs(child, "ITEM")) {
      if (builder.ItemsFull()) {
        builder.AddEntry({});  // records the cut once
        return;
      }
      RawEntry entry;
      entry.link = AttrAnyCase(child, "HREF");
      entry.updated = AttrAnyCase(child, "LASTMOD");
      entry.title = ChildTextAnyCase(child, "TITLE");
      entry.summary = ChildTextAnyCase(child, "ABSTRACT");
      entry.base = document.Base(child);
      builder.AddEntry(std::move(entry));
    }
  }
}

}  // namespace

bool IsCdf(const xmlNode* root) {
  if (!NameIs(root, "CHANNEL") || root->ns != nullptr) return false;
  // A lower-case <channel> root is usually a broken RSS feed; CDF writes upper case or HREF.
  return std::string_view(reinterpret_cast<const char*>(root->name)) != "channel" ||
         !AttrAnyCase(root, "HREF").empty();
}

void ReadCdf(const xml::Document& document, DocumentBuilder& builder) {
  builder.SetFormat(Format::kCdf);
  const xmlNode* root = document.Root();
  auto& meta = builder.metadata();
  meta.title = CleanText(ChildTextAnyCase(root, "TITLE"), builder.limits().max_title_bytes);
  meta.description =
      CleanText(ChildTextAnyCase(root, "ABSTRACT"), builder.limits().max_summary_bytes);
  meta.link = CleanText(AttrAnyCase(root, "HREF"), builder.limits().max_url_bytes);
  if (auto date = ParseDateSeconds(AttrAnyCase(root, "LASTMOD")); date) meta.updated_unix = *date;
  ReadItems(document, root, builder, 0);
}

}  // namespace tributary::parser
