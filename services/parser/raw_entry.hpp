#pragma once
// An entry as a format reader found it, before normalization: every reader (RSS, Atom, JSON
// Feed, sitemap, page, JSON API) fills this, and one normalizer turns it into a v1::Item, so
// every format gets the same ids, URLs, dates, text and hashes.
#include <cstdint>
#include <string>
#include <vector>

#include "services/parser/people.hpp"

namespace tributary::parser {

struct RawEnclosure {
  std::string url;
  std::string type;
  std::int64_t length = 0;
};

struct RawEntry {
  std::string id;       // guid / id; empty when the format has none
  std::string link;     // possibly relative
  std::string base;     // xml:base in effect for the entry; empty = the document URL
  // xml:base in effect for the content (or summary) when it has its own; empty = `base`.
  std::string content_base;
  std::string title;    // may hold HTML
  std::string summary;  // may hold HTML
  std::string content;  // may hold HTML
  std::vector<Person> authors;
  std::vector<std::string> categories;
  std::vector<RawEnclosure> enclosures;
  std::string published;  // as written
  std::string updated;    // as written
  std::string language;
  // All the entry's raw text (markup included), filled by a reader only when the entry has no
  // id, link or title: an image-only post or an item of custom elements is still an entry of
  // the feed, and this is what tells two such entries apart, fetch after fetch.
  std::string anonymous_text;
};

}  // namespace tributary::parser
