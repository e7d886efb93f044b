// RSS in all its versions. RSS 0.90 and 1.0 put <item> beside <channel>, the others inside it;
// both places are searched because feeds in the wild mix them up.
#include <cctype>
#include <cstdlib>
#include <utility>

#include "services/parser/dates.hpp"
#include "services/parser/feed_xml.hpp"

namespace tributary::parser {
namespace {

// iTunes podcast tags; publishers spell the namespace URI with varying case.
bool IsItunes(std::string_view space) {
  constexpr std::string_view kItunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";
  if (space.size() != kItunes.size()) return false;
  for (std::size_t i = 0; i < space.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(space[i])) != kItunes[i]) return false;
  }
  return true;
}

// An RSS <link>: its text, or the href of the Atom-style `<link href="..."/>` some feeds write
// without the Atom namespace.
std::string RssLink(const xmlNode* node) {
  auto link = xml::Text(node);
  if (link.find_first_not_of(" \t\r\n") == std::string::npos) link = xml::Attr(node, "href");
  return link;
}

// RSS 2.0 with a namespace on its own elements (Userland's and Harvard's RSS 2.0 URIs, and
// RSS 1.0 / 0.90 whose channel elements live in their namespaces).
bool IsRssNamespace(std::string_view space) {
  return space == ns::kRss1 || space == ns::kRss090 ||
         space == "http://backend.userland.com/rss2" ||
         space == "http://blogs.law.harvard.edu/tech/rss";
}

// <itunes:category text="Technology"><itunes:category text="Podcasting"/></itunes:category>:
// every level is a category.
void ItunesCategories(const xmlNode* node, std::vector<std::string>& categories) {
  if (auto text = xml::Attr(node, "text"); !text.empty()) categories.push_back(std::move(text));
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (xml::IsElement(child) && xml::Name(child) == "category") {
      ItunesCategories(child, categories);
    }
  }
}

// An Atom-style <link rel="enclosure" href type length/>.
RawEnclosure LinkEnclosure(const xmlNode* link) {
  return {xml::Attr(link, "href"), xml::Attr(link, "type"),
          std::atoll(xml::Attr(link, "length").c_str())};
}

// <author>: a one-line byline, or an Atom person construct whose namespace was forgotten.
Person PersonOf(const xmlNode* author) {
  for (const xmlNode* child = author->children; child != nullptr; child = child->next) {
    if (xml::IsElement(child)) return AtomPerson(author);
  }
  return PersonFromText(xml::Text(author));
}

// "one, two,three" (itunes:keywords) -> categories.
void AddKeywords(std::string_view keywords, std::vector<std::string>& categories) {
  while (!keywords.empty()) {
    const auto comma = keywords.find(',');
    categories.emplace_back(keywords.substr(0, comma));
    if (comma == std::string_view::npos) break;
    keywords.remove_prefix(comma + 1);
  }
}

void ReadChannel(const xmlNode* channel, DocumentBuilder& builder) {
  auto& meta = builder.metadata();
  std::string updated;
  for (const xmlNode* child = channel->children; child != nullptr; child = child->next) {
    if (!xml::IsElement(child)) continue;
    const auto name = xml::Name(child);
    const auto space = xml::Namespace(child);
    if (space == ns::kDc) {
      if (name == "language" && meta.language.empty()) meta.language = xml::Text(child);
      if (name == "creator" || name == "author") {
        meta.authors.push_back(PersonFromText(xml::Text(child)));
      }
      if (name == "subject") meta.categories.push_back(xml::Text(child));
      if (name == "date" && updated.empty()) updated = xml::Text(child);
      if (name == "title" && meta.title.empty()) meta.title = xml::Text(child);
      if (name == "description" && meta.description.empty()) meta.description = xml::Text(child);
      if (name == "identifier" && meta.id.empty()) meta.id = xml::Text(child);
    } else if (space == ns::kDcTerms) {
      if (name == "modified" && updated.empty()) updated = xml::Text(child);
    } else if (IsItunes(space)) {
      if (name == "owner") {  // the podcast's contact: <itunes:name>, <itunes:email>
        meta.authors.push_back({.name = xml::ChildText(child, "name"),
                                .email = xml::ChildText(child, "email")});
      }
      if ((name == "subtitle" || name == "summary") && meta.description.empty()) {
        meta.description = xml::Text(child);
      }
      if (name == "author") meta.authors.push_back(PersonFromText(xml::Text(child)));
      if (name == "category") ItunesCategories(child, meta.categories);
      if (name == "keywords") AddKeywords(xml::Text(child), meta.categories);
    } else if (space == ns::kAtom1) {
      if (name == "id" && meta.id.empty()) meta.id = xml::Text(child);
      if (name == "author") meta.authors.push_back(AtomPerson(child));
      if (name == "subtitle" && meta.description.empty()) {
        meta.description = AtomText(child, builder.limits().max_summary_bytes * 4);
      }
    } else if (!space.empty() && !IsRssNamespace(space)) {
      continue;
    } else if (name == "title") {
      if (auto title = xml::Text(child); !title.empty()) meta.title = std::move(title);
    } else if (name == "link") {
      const auto rel = xml::Attr(child, "rel");
      if (!rel.empty() && rel != "alternate") continue;  // rel="self", "hub" ...
      if (auto link = RssLink(child); !link.empty()) meta.link = std::move(link);  // last wins
    } else if (name == "description") {
      if (auto text = xml::Text(child); !text.empty()) meta.description = std::move(text);
    } else if (name == "language") {
      meta.language = xml::Text(child);
    } else if (name == "lastBuildDate") {
      updated = xml::Text(child);
    } else if (name == "pubDate" && updated.empty()) {
      updated = xml::Text(child);
    } else if (name == "managingEditor" || name == "author") {
      // webMaster is the technical contact, not an author.
      meta.authors.push_back(PersonOf(child));
    } else if (name == "id" && meta.id.empty()) {
      meta.id = xml::Text(child);
    } else if (name == "updated" && updated.empty()) {
      updated = xml::Text(child);
    } else if (name == "category") {
      meta.categories.push_back(xml::Text(child));
    } else if (name == "guid" && meta.id.empty()) {
      meta.id = xml::Text(child);
    }
  }
  if (meta.id.empty() && xml::IsElement(channel)) {
    meta.id = xml::Attr(channel, "about");  // RSS 1.0: rdf:about names the channel
  }
  meta.title = CleanText(meta.title, builder.limits().max_title_bytes);
  meta.description = CleanText(meta.description, builder.limits().max_summary_bytes);
  meta.link = CleanText(meta.link, builder.limits().max_url_bytes);
  meta.language = CleanText(meta.language, 64);
  CleanFeedLists(meta, builder.limits());
  if (auto date = ParseDateSeconds(updated); date) meta.updated_unix = *date;
  builder.SetDocumentLanguage(meta.language);
}

}  // namespace

void ReadRssItem(const xml::Document& document, const xmlNode* node, DocumentBuilder& builder) {
  RawEntry entry;
  MediaText media;
  std::string guid_link;
  std::string atom_link;
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (!xml::IsElement(child)) continue;
    const auto name = xml::Name(child);
    const auto space = xml::Namespace(child);
    if (space == ns::kDc) {
      if (name == "creator" || name == "contributor" || name == "author") {
        entry.authors.push_back(PersonFromText(xml::Text(child)));
      } else if (name == "subject") {
        entry.categories.push_back(xml::Text(child));
      } else if (name == "date" && entry.published.empty()) {
        entry.published = xml::Text(child);
      } else if (name == "modified") {
        entry.updated = xml::Text(child);
      } else if (name == "language") {
        entry.language = xml::Text(child);
      } else if (name == "title" && entry.title.empty()) {
        entry.title = xml::Text(child);
      } else if (name == "description" && entry.summary.empty()) {
        entry.summary = xml::Text(child);
      } else if (name == "identifier" && entry.id.empty()) {
        entry.id = xml::Text(child);
      }
    } else if (space == ns::kContent) {
      if (name == "encoded")
        entry.content = xml::Text(child, builder.limits().max_content_bytes * 4);
    } else if (name == "body" && (space == ns::kXhtml || space.empty())) {
      // <xhtml:body> / <body xmlns="http://www.w3.org/1999/xhtml">: the post as inline XHTML.
      if (entry.content.empty()) {
        entry.content = xml::InnerXml(child, builder.limits().max_content_bytes * 4);
      }
    } else if (name == "fullitem" && space.empty()) {
      // <fullitem>: the whole post as escaped HTML (an early RSS 0.9x extension).
      if (entry.content.empty()) {
        entry.content = xml::Text(child, builder.limits().max_content_bytes * 4);
      }
    } else if (space == ns::kAtom1) {
      if (name == "link" && xml::Attr(child, "rel") == "enclosure") {
        entry.enclosures.push_back(LinkEnclosure(child));
      } else if (name == "link" && atom_link.empty()) {
        const auto rel = xml::Attr(child, "rel");
        if (rel.empty() || rel == "alternate") atom_link = xml::Attr(child, "href");
      } else if (name == "id" && entry.id.empty()) {
        entry.id = xml::Text(child);
      } else if (name == "updated") {
        entry.updated = xml::Text(child);
      } else if (name == "published" && entry.published.empty()) {
        entry.published = xml::Text(child);
      } else if (name == "author") {
        entry.authors.push_back(AtomPerson(child));
      } else if (name == "content" && entry.content.empty()) {
        entry.content = AtomText(child, builder.limits().max_content_bytes * 4);
      } else if (name == "summary" && entry.summary.empty()) {
        entry.summary = AtomText(child, builder.limits().max_content_bytes * 4);
      } else if (name == "category") {
        entry.categories.push_back(xml::Attr(child, "term"));
      }
    } else if (IsMedia(space)) {
      ReadMedia(child, entry, media);
    } else if (space == ns::kDcTerms) {
      if ((name == "issued" || name == "created") && entry.published.empty()) {
        entry.published = xml::Text(child);
      } else if (name == "modified") {
        entry.updated = xml::Text(child);
      }
    } else if (!space.empty() && !IsRssNamespace(space) && !IsItunes(space)) {
      continue;  // another vocabulary's <description> or <title> is not the item's
    } else if (IsItunes(space)) {
      if (name == "summary" && entry.summary.empty()) entry.summary = xml::Text(child);
      if (name == "author") entry.authors.push_back(PersonFromText(xml::Text(child)));
      if (name == "keywords") AddKeywords(xml::Text(child), entry.categories);
      if (name == "category") ItunesCategories(child, entry.categories);
    } else if (name == "title") {
      entry.title = xml::Text(child);
    } else if (name == "link" && xml::Attr(child, "rel") == "enclosure") {
      entry.enclosures.push_back(LinkEnclosure(child));  // Atom-style, without the namespace
    } else if (name == "link") {
      // Several <link>s: the last non-empty one wins, as in gofeed and the feed readers that
      // follow it, so an item reads the same everywhere. Atom-style links to something else
      // than the item itself (rel="self", "replies" ...) are not its link.
      const auto rel = xml::Attr(child, "rel");
      if (!rel.empty() && rel != "alternate") continue;
      if (auto link = RssLink(child); !link.empty()) entry.link = std::move(link);
    } else if (name == "description") {
      entry.summary = xml::Text(child, builder.limits().max_content_bytes * 4);
    } else if (name == "guid") {
      entry.id = xml::Text(child);
      if (xml::Attr(child, "isPermaLink") != "false") guid_link = entry.id;
    } else if (name == "author") {
      entry.authors.push_back(PersonOf(child));
    } else if (name == "category") {
      entry.categories.push_back(xml::Text(child));
    } else if (name == "tags") {
      AddKeywords(xml::Text(child), entry.categories);  // <tags>one, two</tags>
    } else if (name == "id" && entry.id.empty()) {
      entry.id = xml::Text(child);  // Atom vocabulary in an RSS item, namespace forgotten
    } else if (name == "updated") {
      entry.updated = xml::Text(child);
    } else if (name == "summary" && entry.summary.empty()) {
      entry.summary = xml::Text(child, builder.limits().max_content_bytes * 4);
    } else if (name == "enclosure") {
      entry.enclosures.push_back({xml::Attr(child, "url"), xml::Attr(child, "type"),
                                  std::atoll(xml::Attr(child, "length").c_str())});
    } else if (name == "pubDate") {
      entry.published = xml::Text(child);
    }
  }
  ApplyMediaText(media, entry);
  if (entry.link.empty()) entry.link = std::move(atom_link);
  // RSS 1.0: rdf:about names the item (usually its link) and is what readers key it by.
  if (entry.id.empty()) entry.id = xml::Attr(node, "about");
  if (entry.link.empty() && guid_link.find("://") != std::string::npos) entry.link = guid_link;
  if (entry.id.empty() && entry.link.empty() && entry.title.empty()) {
    entry.anonymous_text = xml::Text(node, builder.limits().max_content_bytes);
  }
  entry.base = document.Base(node);
  builder.AddEntry(std::move(entry));
}

void ReadRss(const xml::Document& document, Format format, DocumentBuilder& builder) {
  builder.SetFormat(format);
  const xmlNode* root = document.Root();
  const xmlNode* channel = xml::Child(root, "channel");
  if (channel != nullptr) ReadChannel(channel, builder);
  std::size_t entries = 0;
  for (const xmlNode* parent : {channel, root}) {
    for (const xmlNode* child = parent != nullptr ? parent->children : nullptr; child != nullptr;
         child = child->next) {
      entries += xml::IsElement(child) && xml::Name(child) == "item" ? 1 : 0;
    }
  }
  builder.ReserveItems(entries);
  // Items inside <channel> (0.91/0.92/2.0), then beside it (0.90/1.0, and broken 2.0 feeds).
  for (const xmlNode* parent : {channel, root}) {
    if (parent == nullptr) continue;
    for (const xmlNode* child = parent->children; child != nullptr; child = child->next) {
      if (xml::IsElement(child) && xml::Name(child) == "item") {
        if (builder.ItemsFull()) {
          builder.AddEntry({});  // records the cut once
          return;
        }
        ReadRssItem(document, child, builder);
      }
    }
  }
}

}  // namespace tributary::parser
