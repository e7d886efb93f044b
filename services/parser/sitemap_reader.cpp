#include "services/parser/sitemap_reader.hpp"

#include <fmt/format.h>

#include <utility>

#include "services/parser/charset.hpp"
#include "services/parser/urls.hpp"

namespace tributary::parser {
namespace {

constexpr std::string_view kImageNs = "http://www.google.com/schemas/sitemap-image/1.1";
constexpr std::string_view kNewsNs = "http://www.google.com/schemas/sitemap-news/0.9";
constexpr std::string_view kVideoNs = "http://www.google.com/schemas/sitemap-video/1.1";

std::string Trim(std::string text) {
  const auto b = text.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = text.find_last_not_of(" \t\r\n");
  return text.substr(b, e - b + 1);
}

class UrlCounter {
 public:
  explicit UrlCounter(DocumentBuilder& builder) : builder_(builder) {}
  // False (with one warning) past the sitemaps.org limit.
  bool Take() {
    if (count_ < builder_.limits().max_sitemap_urls) {
      ++count_;
      return true;
    }
    if (!warned_) {
      warned_ = true;
      builder_.Warn(fmt::format("sitemap lists more than {} URLs: the rest were cut",
                                builder_.limits().max_sitemap_urls));
    }
    return false;
  }

 private:
  DocumentBuilder& builder_;
  std::size_t count_ = 0;
  bool warned_ = false;
};

// With fetch_pages the page is the item: the fetched page yields the URL's one row (its
// external_id is the page's canonical URL, usually the listed URL), so the listing does not add
// a second version of it that would overwrite the page's row every round. A URL whose page is
// not requested (too deep, not http) stays an item of the listing.
void AddUrl(RawEntry& entry, DocumentBuilder& builder) {
  if (builder.input().request.options().fetch_pages() &&
      builder.AddChild(entry.link, v1::SOURCE_KIND_PAGE)) {
    return;
  }
  entry.id = entry.link;
  builder.AddEntry(std::move(entry));
}

void ReadUrl(const xmlNode* url, DocumentBuilder& builder) {
  RawEntry entry;
  for (const xmlNode* child = url->children; child != nullptr; child = child->next) {
    if (!xml::IsElement(child)) continue;
    const auto name = xml::Name(child);
    const auto space = xml::Namespace(child);
    if (space == kImageNs && name == "image") {
      auto loc = Trim(xml::ChildText(child, "loc", kImageNs));
      if (!loc.empty()) entry.enclosures.push_back({loc, "image", 0});
    } else if (space == kNewsNs && name == "news") {
      entry.title = xml::ChildText(child, "title", kNewsNs);
      entry.published = xml::ChildText(child, "publication_date", kNewsNs);
      if (const xmlNode* pub = xml::Child(child, "publication", kNewsNs); pub != nullptr) {
        entry.language = xml::ChildText(pub, "language", kNewsNs);
      }
      const auto keywords = xml::ChildText(child, "keywords", kNewsNs);
      std::size_t pos = 0;
      while (pos < keywords.size()) {
        auto comma = keywords.find(',', pos);
        if (comma == std::string::npos) comma = keywords.size();
        entry.categories.push_back(Trim(keywords.substr(pos, comma - pos)));
        pos = comma + 1;
      }
    } else if (space == kVideoNs && name == "video") {
      if (entry.title.empty()) entry.title = xml::ChildText(child, "title", kVideoNs);
      entry.summary = xml::ChildText(child, "description", kVideoNs);
      if (entry.published.empty()) {
        entry.published = xml::ChildText(child, "publication_date", kVideoNs);
      }
      auto content = Trim(xml::ChildText(child, "content_loc", kVideoNs));
      if (content.empty()) content = Trim(xml::ChildText(child, "player_loc", kVideoNs));
      if (!content.empty()) entry.enclosures.push_back({content, "video", 0});
    } else if (name == "loc") {
      entry.link = Trim(xml::Text(child));
    } else if (name == "lastmod") {
      entry.updated = xml::Text(child);
    }
  }
  if (!entry.link.empty()) AddUrl(entry, builder);
}

}  // namespace

void ReadSitemapXml(const xml::Document& document, DocumentBuilder& builder) {
  const xmlNode* root = document.Root();
  const bool index = xml::Name(root) == "sitemapindex";
  builder.SetFormat(index ? Format::kSitemapIndex : Format::kSitemapUrlset);
  builder.SetItemCap(builder.limits().max_sitemap_urls);
  UrlCounter counter(builder);
  for (const xmlNode* child = root->children; child != nullptr; child = child->next) {
    if (!xml::IsElement(child)) continue;
    if (index && xml::Name(child) == "sitemap") {
      auto loc = Trim(xml::ChildText(child, "loc"));
      if (loc.empty() && xml::Child(child, "loc") == nullptr)
        loc = Trim(xml::Text(child));  // <sitemap>URL</sitemap>
      if (loc.empty()) continue;
      if (!counter.Take()) break;
      builder.AddChild(loc, v1::SOURCE_KIND_SITEMAP);
    } else if (!index && xml::Name(child) == "url") {
      if (!counter.Take()) break;
      ReadUrl(child, builder);
    }
  }
}

void ReadTextSitemap(std::string_view text, DocumentBuilder& builder) {
  builder.SetFormat(Format::kSitemapText);
  builder.SetItemCap(builder.limits().max_sitemap_urls);
  UrlCounter counter(builder);
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    auto line = Trim(std::string(text.substr(pos, end - pos)));
    pos = end + 1;
    if (line.empty() || !IsHttpUrl(line) || line.find(' ') != std::string::npos) continue;
    if (!counter.Take()) break;
    RawEntry entry;
    entry.link = std::move(line);
    AddUrl(entry, builder);
  }
}

}  // namespace tributary::parser
