#pragma once
// Bounds on what one document may cost, so a hostile or broken source costs bounded time and
// memory. Sitemap limits are the ones sitemaps.org sets.
#include <cstddef>
#include <cstdint>

namespace tributary::parser {

struct Limits {
  std::size_t max_items = 10'000;  // feed entries, JSON API items
  std::size_t max_sitemap_urls = 50'000;
  std::size_t max_sitemap_bytes = 50 * 1024 * 1024;  // after gunzip
  std::size_t max_body_bytes = 64 * 1024 * 1024;     // after gunzip, any format
  std::size_t max_title_bytes = 2 * 1024;
  std::size_t max_summary_bytes = 16 * 1024;
  std::size_t max_content_bytes = 1024 * 1024;
  std::size_t max_url_bytes = 8 * 1024;
  std::size_t max_list_entries = 64;          // authors, categories, enclosures per item
  int max_depth = 256;                        // element / JSON nesting
  std::uint32_t default_max_child_depth = 2;  // when FetchRequest.options.max_depth is 0
  // Threads besides the caller's that normalize one document's entries (NormalizePool), started
  // only once a document has this many entries: most feeds hold a few dozen, normalized inline
  // in less time than a thread takes to start.
  std::size_t normalize_workers = 0;
  std::size_t normalize_workers_after = 64;
};

}  // namespace tributary::parser
