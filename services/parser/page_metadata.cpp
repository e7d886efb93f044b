#include "services/parser/page_metadata.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string_view>
#include <utility>

#include "common/base/ascii.hpp"
#include "services/parser/bounded_json.hpp"
#include "services/parser/html_dom.hpp"
#include "services/parser/text.hpp"

namespace tributary::parser {
namespace {

using Json = nlohmann::json;

// Real JSON-LD nests a few levels (@graph, author, publisher, image); the cap keeps the
// recursive walks below on a small stack whatever a page sends.
constexpr int kMaxJsonLdDepth = 64;

std::string Trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n\f");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n\f");
  return std::string(text.substr(first, last - first + 1));
}

std::size_t WordCount(std::string_view text) {
  std::size_t words = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

std::string ElementText(const html::Node* node) {
  std::string out;
  html::Walk(const_cast<html::Node*>(node), [&](html::Node* n) {
    out.append(n->text);
    return html::IsElement(n);
  });
  return CollapseWhitespace(out);
}

// Separators between a title and the site's name, each written with a space either side.
constexpr std::string_view kSeparators[] = {"|", "-", "\\", "/", ">", "\xC2\xBB" /* » */,
                                            "\xE2\x80\x93" /* – */, "\xE2\x80\x94" /* — */};

// Where each " <separator> " starts in `title`.
std::vector<std::pair<std::size_t, std::size_t>> SeparatorsIn(std::string_view title) {
  std::vector<std::pair<std::size_t, std::size_t>> found;  // (position of ' ', length)
  for (std::size_t i = 0; i + 2 < title.size(); ++i) {
    if (title[i] != ' ') continue;
    for (const auto separator : kSeparators) {
      if (title.substr(i + 1, separator.size()) == separator &&
          i + 1 + separator.size() < title.size() && title[i + 1 + separator.size()] == ' ') {
        found.emplace_back(i, separator.size() + 2);
        break;
      }
    }
  }
  return found;
}

std::string CleanTitle(const std::string& original, const std::vector<std::string>& headings) {
  std::string title = original;
  bool hierarchical = false;
  const auto separators = SeparatorsIn(original);
  if (!separators.empty()) {
    for (const auto& [at, length] : separators) {
      const auto separator = std::string_view(original).substr(at + 1, length - 2);
      hierarchical = hierarchical || separator == "\\" || separator == "/" || separator == ">" ||
                     separator == "\xC2\xBB";
    }
    title = original.substr(0, separators.back().first);
    if (WordCount(title) < 3) {
      const auto& first = separators.front();
      title = original.substr(first.first + first.second);
    }
  } else if (original.find(": ") != std::string::npos) {
    bool heading_says_so = false;
    for (const auto& heading : headings) heading_says_so = heading_says_so || heading == original;
    if (!heading_says_so) {
      title = original.substr(original.rfind(':') + 1);
      if (WordCount(title) < 3) {
        title = original.substr(original.find(':') + 1);
      } else if (WordCount(original.substr(0, original.find(':'))) > 5) {
        title = original;
      }
    }
  } else if (original.size() > 150 || original.size() < 15) {
    if (headings.size() == 1) title = headings.front();
  }
  title = CollapseWhitespace(Trimmed(title));
  // Too short to be the story's title: the site's name was the better half. Keep the original.
  const auto words = WordCount(title);
  std::string without_separators;
  for (std::size_t i = 0; i < original.size(); ++i) {
    bool separator = false;
    for (const auto s : kSeparators) {
      if (std::string_view(original).substr(i, s.size()) == s) {
        i += s.size() - 1;
        separator = true;
        break;
      }
    }
    if (!separator) without_separators.push_back(original[i]);
  }
  if (words <= 4 && (!hierarchical || words + 1 != WordCount(without_separators))) return original;
  return title;
}

bool ArticleType(const Json& type) {
  if (type.is_array()) {
    for (const auto& one : type) {
      if (ArticleType(one)) return true;
    }
    return false;
  }
  if (!type.is_string()) return false;
  const auto name = type.get<std::string>();
  const auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(),
                                                         suffix) == 0;
  };
  return ends_with("Article") || ends_with("Posting") || name == "Report" ||
         name == "APIReference";
}

// The schema.org article a JSON-LD block describes: itself, in a list, or in its @graph.
const Json* FindArticle(const Json& json) {
  if (json.is_array()) {
    for (const auto& one : json) {
      if (const auto* found = FindArticle(one)) return found;
    }
    return nullptr;
  }
  if (!json.is_object()) return nullptr;
  if (json.contains("@type") && ArticleType(json["@type"])) return &json;
  if (json.contains("@graph")) return FindArticle(json["@graph"]);
  return nullptr;
}

std::string StringOf(const Json& json, const char* key) {
  if (!json.is_object() || !json.contains(key)) return {};
  const auto& value = json[key];
  if (value.is_string()) return Trimmed(value.get<std::string>());
  return {};
}

// A person, an organisation, a URL or a list of them: their names.
void NamesOf(const Json& json, std::vector<std::string>& out) {
  if (json.is_array()) {
    for (const auto& one : json) NamesOf(one, out);
  } else if (json.is_object()) {
    if (auto name = StringOf(json, "name"); !name.empty()) out.push_back(std::move(name));
  } else if (json.is_string()) {
    auto name = Trimmed(json.get<std::string>());
    if (!name.empty() && name.find("://") == std::string::npos) out.push_back(std::move(name));
  }
}

std::string ImageOf(const Json& json) {
  if (json.is_string()) return Trimmed(json.get<std::string>());
  if (json.is_array() && !json.empty()) return ImageOf(json.front());
  if (json.is_object()) return StringOf(json, "url");
  return {};
}

void ReadJsonLd(std::string_view text, PageMetadata& meta) {
  // Some sites wrap the JSON in a CDATA section, as if the page were XHTML.
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text.substr(first, 9) == "<![CDATA[") {
    text.remove_prefix(first + 9);
    const auto end = text.rfind("]]>");
    if (end != std::string_view::npos) text = text.substr(0, end);
  }
  const auto parsed = ParseBoundedJson(text, kMaxJsonLdDepth);
  if (!parsed) return;  // not JSON, or nested deeper than any real JSON-LD: ignored
  const auto& json = *parsed;
  const Json* article = FindArticle(json);
  if (article == nullptr) return;
  auto headline = StringOf(*article, "headline");
  if (headline.empty()) headline = StringOf(*article, "name");
  if (meta.title.empty()) meta.title = headline;
  if (meta.description.empty()) meta.description = StringOf(*article, "description");
  if (meta.authors.empty() && article->contains("author")) {
    NamesOf((*article)["author"], meta.authors);
  }
  if (meta.published.empty()) meta.published = StringOf(*article, "datePublished");
  if (meta.modified.empty()) meta.modified = StringOf(*article, "dateModified");
  if (meta.image.empty() && article->contains("image")) meta.image = ImageOf((*article)["image"]);
  if (meta.site_name.empty() && article->contains("publisher")) {
    meta.site_name = StringOf((*article)["publisher"], "name");
  }
  if (meta.language.empty()) meta.language = StringOf(*article, "inLanguage");
}

// The first non-empty value among `keys` of the page's <meta> elements.
std::string First(const std::map<std::string, std::string>& values,
                  std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (const auto it = values.find(key); it != values.end() && !it->second.empty()) {
      return it->second;
    }
  }
  return {};
}

}  // namespace

std::string TitleWithoutSiteName(const std::string& title) { return CleanTitle(title, {}); }

PageMetadata ReadPageMetadata(html::Node* root) {
  PageMetadata meta;
  std::map<std::string, std::string> values;  // <meta> name/property (lowercased) -> content
  std::vector<std::string> json_ld;
  std::vector<std::string> headings;  // h1 and h2 texts, for the title
  std::string og_url;
  html::Walk(root, [&](html::Node* node) {
    if (!html::IsElement(node)) return false;
    if (html::IsTag(node, "title") && meta.document_title.empty()) {
      meta.document_title = ElementText(node);
      return false;
    }
    if (html::IsTag(node, "meta")) {
      const auto content = Trimmed(html::Attr(node, "content"));
      // A property may name several keys ("og:title twitter:title"); a name uses '.' where a
      // property uses ':' ("dc.creator").
      for (const char* attribute : {"property", "name", "itemprop"}) {
        const auto keys = AsciiLower(html::Attr(node, attribute));
        std::size_t start = 0;
        while (start < keys.size()) {
          auto end = keys.find(' ', start);
          if (end == std::string::npos) end = keys.size();
          auto key = keys.substr(start, end - start);
          if (std::string_view(key).substr(0, 3) == "dc." ||
              std::string_view(key).substr(0, 8) == "dcterm.") {
            key[key.find('.')] = ':';
          }
          if (key == "article:tag" || key == "keywords") {
            if (!content.empty()) meta.keywords.push_back(content);
          } else if (!key.empty()) {
            // A property is the page's deliberate metadata: it wins over a name.
            if (std::string_view(attribute) == "property") {
              values[key] = content;
            } else {
              values.try_emplace(key, content);
            }
          }
          start = end + 1;
        }
      }
      return false;
    }
    if (html::IsTag(node, "link") && meta.canonical.empty() &&
        AsciiLower(html::Attr(node, "rel")) == "canonical") {
      meta.canonical = Trimmed(html::Attr(node, "href"));
      return false;
    }
    if (html::IsTag(node, "script")) {
      if (AsciiLower(html::Attr(node, "type")) == "application/ld+json") {
        std::string text;
        for (const html::Node* child = node->first_child; child != nullptr;
             child = child->next) {
          text.append(child->text);
        }
        json_ld.push_back(std::move(text));
      }
      return false;
    }
    if (html::IsAnyTag(node, {"h1", "h2"})) {
      headings.push_back(ElementText(node));
      return false;
    }
    return true;
  });
  for (const auto& text : json_ld) ReadJsonLd(text, meta);

  if (meta.title.empty()) {
    meta.title = First(values, {"dc:title", "dcterm:title", "og:title", "twitter:title",
                                "parsely-title"});
  }
  if (meta.title.empty()) {
    std::vector<std::string> h1s;
    html::Walk(root, [&](html::Node* node) {
      if (!html::IsElement(node)) return false;
      if (html::IsTag(node, "h1")) h1s.push_back(ElementText(node));
      return !html::IsTag(node, "h1");
    });
    meta.title = CleanTitle(Trimmed(meta.document_title), h1s.size() == 1 ? h1s : headings);
  }
  if (meta.description.empty()) {
    meta.description = First(values, {"dc:description", "dcterm:description", "og:description",
                                      "description", "twitter:description"});
  }
  if (meta.authors.empty()) {
    auto author = First(values, {"dc:creator", "dcterm:creator", "author", "parsely-author"});
    if (author.empty()) {
      author = First(values, {"article:author"});
      if (author.find("://") != std::string::npos) author.clear();  // a profile URL, not a name
    }
    if (!author.empty()) meta.authors.push_back(std::move(author));
  }
  if (meta.published.empty()) {
    meta.published = First(values, {"article:published_time", "datepublished",
                                    "parsely-pub-date", "dc:date", "dcterm:created"});
  }
  if (meta.modified.empty()) {
    meta.modified = First(values, {"article:modified_time", "og:updated_time", "datemodified"});
  }
  if (meta.image.empty()) {
    meta.image = First(values, {"og:image", "og:image:url", "og:image:secure_url",
                                "twitter:image", "twitter:image:src"});
  }
  if (meta.site_name.empty()) meta.site_name = First(values, {"og:site_name"});
  if (meta.canonical.empty()) meta.canonical = First(values, {"og:url"});
  const auto lang = Trimmed(html::Attr(root, "lang"));
  if (!lang.empty()) meta.language = lang;
  return meta;
}

}  // namespace tributary::parser
