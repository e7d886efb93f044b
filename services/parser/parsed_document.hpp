#pragma once
// What the parser reads and what it returns: one fetched document in, the document's metadata,
// its normalized items, the fetches it points at (sitemap children, pages) and warnings out.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "services/parser/limits.hpp"
#include "services/parser/people.hpp"
#include "tributary/v1/fetch.pb.h"
#include "tributary/v1/item.pb.h"

namespace tributary::parser {

enum class Format {
  kUnknown,
  kRss090,
  kRss091,
  kRss092,
  kRss2,
  kRss1Rdf,
  kAtom03,
  kAtom1,
  kCdf,
  kJsonFeed,
  kSitemapUrlset,
  kSitemapIndex,
  kSitemapText,
  kHtmlPage,
  kJsonApi,
};

// The stable name used in ParseResult.format, metrics labels and `tributary parse` output.
const char* FormatName(Format format);

struct ParseInput {
  std::string body;          // as fetched (possibly gzip)
  std::string content_type;  // HTTP Content-Type, may carry a charset; may be empty
  std::string url;           // the document's URL (final URL after redirects): the base
  v1::SourceKind kind = v1::SOURCE_KIND_AUTO;
  v1::FetchRequest request;  // source id, request id, depth and options of the fetch
  std::chrono::system_clock::time_point fetched_at{};
};

struct FeedMetadata {
  std::string id;  // Atom id, RSS channel guid / dc:identifier / rdf:about, JSON Feed feed_url
  std::string title;
  std::string link;
  std::string description;
  std::string language;
  std::int64_t updated_unix = 0;  // 0 when unknown
  std::vector<Person> authors;
  std::vector<std::string> categories;
};

struct ParsedDocument {
  Format format = Format::kUnknown;
  FeedMetadata metadata;
  std::vector<v1::Item> items;
  std::vector<v1::FetchRequest> children;
  std::vector<std::string> warnings;
};

}  // namespace tributary::parser
