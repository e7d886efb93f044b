// Atom 1.0 and its predecessor 0.3 (issued/modified/tagline, mode="escaped" content).
#include <cctype>
#include <cstdlib>
#include <utility>

#include "services/parser/base64.hpp"
#include "services/parser/dates.hpp"
#include "services/parser/feed_xml.hpp"
#include "services/parser/text.hpp"
#include "services/parser/urls.hpp"

namespace tributary::parser {

Person AtomPerson(const xmlNode* node) {
  Person person{.name = xml::ChildText(node, "name"), .email = xml::ChildText(node, "email"),
                .uri = xml::ChildText(node, "uri")};
  // Atom 0.3 wrote <url>; some feeds <homepage>.
  if (person.uri.empty()) person.uri = xml::ChildText(node, "url");
  if (person.uri.empty()) person.uri = xml::ChildText(node, "homepage");
  if (person.Empty()) person = PersonFromText(xml::Text(node));  // <author>Jo</author>
  return person;
}

std::string AtomText(const xmlNode* node, std::size_t max_bytes) {
  auto type = xml::Attr(node, "type");
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool html = type == "html" || type == "text/html";
  const bool xhtml = type == "xhtml" || type == "application/xhtml+xml" ||
                     (type.size() > 4 && (type.ends_with("+xml") || type.ends_with("/xml")));
  const bool text = type.empty() || type == "text" || type == "text/plain";
  // Base64: Atom 0.3's mode="base64", and Atom 1.0 content of any other media type (4.1.3.3).
  if (xml::Attr(node, "mode") == "base64" ||
      (!html && !xhtml && !text && !type.starts_with("text/"))) {
    auto decoded = DecodeBase64(xml::Text(node, max_bytes * 4 / 3 + 4));
    if (!decoded) return {};  // not base64 after all: no text rather than gibberish
    if (decoded->size() > max_bytes) decoded->resize(max_bytes);
    // Decoded bytes are markup only when the type says so; anything else reads as text.
    return html || xhtml ? *std::move(decoded) : EscapeHtml(*decoded);
  }
  if (!html) {
    // Markup as child elements (type="xhtml", Atom 0.3's mode="xml", or a publisher's inline
    // HTML) is serialized so that HTML-to-text sees it as markup and drops what is not text.
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
      if (xml::IsElement(child)) return xml::InnerXml(node, max_bytes);
    }
  }
  auto value = xml::Text(node, max_bytes);
  // type="text": what looks like markup is literal text ("the <blink> tag"), so it is escaped
  // here and comes out of HTML-to-text as written.
  return text ? EscapeHtml(value) : value;
}

void ReadAtomEntry(const xml::Document& document, const xmlNode* node, DocumentBuilder& builder) {
  RawEntry entry;
  MediaText media;
  const auto max = builder.limits().max_content_bytes * 4;
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (!xml::IsElement(child)) continue;
    const auto name = xml::Name(child);
    if (xml::Namespace(child) == ns::kDc) {
      if (name == "creator") entry.authors.push_back(PersonFromText(xml::Text(child)));
      if (name == "subject") entry.categories.push_back(xml::Text(child));
      continue;
    }
    if (IsMedia(xml::Namespace(child))) {
      ReadMedia(child, entry, media);
      continue;
    }
    if (xml::Namespace(child) == ns::kDcTerms) {
      if ((name == "issued" || name == "created") && entry.published.empty()) {
        entry.published = xml::Text(child);
      } else if (name == "modified" && entry.updated.empty()) {
        entry.updated = xml::Text(child);
      }
      continue;
    }
    if (!IsAtom(child)) continue;
    if (name == "id") {
      entry.id = xml::Text(child);
    } else if (name == "title") {
      entry.title = AtomText(child, builder.limits().max_title_bytes * 4);
    } else if (name == "link") {
      const auto rel = xml::Attr(child, "rel");
      const auto href = ResolveUrl(xml::Attr(child, "href"), document.Base(child));
      if (rel == "enclosure") {
        entry.enclosures.push_back(
            {href, xml::Attr(child, "type"), std::atoll(xml::Attr(child, "length").c_str())});
      } else if ((rel.empty() || rel == "alternate") && entry.link.empty()) {
        entry.link = href;
      }
    } else if (name == "summary") {
      entry.summary = AtomText(child, max);
      if (entry.content.empty()) entry.content_base = document.Base(child);
    } else if (name == "content") {
      entry.content = AtomText(child, max);
      entry.content_base = document.Base(child);
      if (entry.link.empty() && !xml::Attr(child, "src").empty()) {
        entry.link = ResolveUrl(xml::Attr(child, "src"), document.Base(child));
      }
    } else if (name == "author" || name == "contributor") {
      if (name == "author" || entry.authors.empty()) entry.authors.push_back(AtomPerson(child));
    } else if (name == "category") {
      // The label is the human-readable form when there is one.
      auto term = xml::Attr(child, "label");
      if (term.empty()) term = xml::Attr(child, "term");
      if (term.empty()) term = xml::Text(child);
      entry.categories.push_back(term);
    } else if (name == "published" || name == "issued" || name == "created") {
      if (entry.published.empty() || name == "published") entry.published = xml::Text(child);
    } else if (name == "updated" || name == "modified") {
      entry.updated = xml::Text(child);
    }
  }
  ApplyMediaText(media, entry);
  // An entry with no link whose id is a web address: the id is its permalink (as an RSS guid
  // is), the way feed readers open it.
  if (entry.link.empty() && (entry.id.starts_with("http://") || entry.id.starts_with("https://"))) {
    entry.link = entry.id;
  }
  entry.language = xml::Attr(node, "lang");
  entry.base = document.Base(node);
  builder.AddEntry(std::move(entry));
}

bool IsAtom(const xmlNode* node) {
  const auto space = xml::Namespace(node);
  return space.empty() || space == ns::kAtom1 || space == ns::kAtom03;
}

Format FeedFormatOf(const xml::Document& document) { return FeedFormatOf(document.Root()); }

Format FeedFormatOf(const xmlNode* root) {
  const auto name = xml::Name(root);
  const auto space = xml::Namespace(root);
  if (name == "rss") {
    const auto version = xml::Attr(root, "version");
    if (version == "0.91" || version == "0.90") return Format::kRss091;
    if (version == "0.92" || version == "0.93" || version == "0.94") return Format::kRss092;
    return Format::kRss2;
  }
  if (name == "RDF") {
    if (xml::Child(root, "channel", ns::kRss090) != nullptr) return Format::kRss090;
    return Format::kRss1Rdf;
  }
  if (name == "feed") {
    if (space == ns::kAtom03 || xml::Attr(root, "version") == "0.3") return Format::kAtom03;
    return Format::kAtom1;
  }
  if (IsCdf(root)) return Format::kCdf;
  if (name == "channel") return Format::kRss2;  // a bare channel: seen in broken feeds
  return Format::kUnknown;
}

void ReadAtom(const xml::Document& document, DocumentBuilder& builder) {
  builder.SetFormat(FeedFormatOf(document));
  const xmlNode* root = document.Root();
  auto& meta = builder.metadata();
  meta.language = CleanText(xml::Attr(root, "lang"), 64);
  builder.SetDocumentLanguage(meta.language);
  std::string updated;
  std::size_t entries = 0;
  for (const xmlNode* child = root->children; child != nullptr; child = child->next) {
    entries += xml::IsElement(child) && xml::Name(child) == "entry" ? 1 : 0;
  }
  builder.ReserveItems(entries);
  for (const xmlNode* child = root->children; child != nullptr; child = child->next) {
    if (!xml::IsElement(child) || !IsAtom(child)) continue;
    const auto name = xml::Name(child);
    if (name == "entry") {
      if (builder.ItemsFull()) {
        builder.AddEntry({});  // records the cut once
        break;
      }
      ReadAtomEntry(document, child, builder);
    } else if (name == "title") {
      meta.title = AtomText(child, builder.limits().max_title_bytes * 4);
    } else if (name == "subtitle" || name == "tagline") {
      meta.description = AtomText(child, builder.limits().max_summary_bytes * 4);
    } else if (name == "link") {
      const auto rel = xml::Attr(child, "rel");
      if ((rel.empty() || rel == "alternate") && meta.link.empty()) {
        meta.link = ResolveUrl(xml::Attr(child, "href"), document.Base(child));
      }
    } else if (name == "updated" || name == "modified") {
      updated = xml::Text(child);
    } else if (name == "author") {
      auto person = AtomPerson(child);
      if (!person.uri.empty()) person.uri = ResolveUrl(person.uri, document.Base(child));
      meta.authors.push_back(std::move(person));
    } else if (name == "id" && meta.id.empty()) {
      meta.id = xml::Text(child);
    } else if (name == "category") {
      auto term = xml::Attr(child, "term");
      if (term.empty()) term = xml::Text(child);
      meta.categories.push_back(std::move(term));
    }
  }
  meta.title = CleanText(meta.title, builder.limits().max_title_bytes);
  meta.description = CleanText(meta.description, builder.limits().max_summary_bytes);
  CleanFeedLists(meta, builder.limits());
  if (auto date = ParseDateSeconds(updated); date) meta.updated_unix = *date;
}

}  // namespace tributary::parser
