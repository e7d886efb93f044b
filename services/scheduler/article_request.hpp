#pragma once
// A feed item whose article is wanted (items.article_state, issue 19) -> the page fetch the
// fetcher gets: the item's link as a page, a child of the request that brought the item
// (depth 1), under the source's options (robots.txt, ...), carrying the item version it is for.
#include <cstdint>
#include <string>
#include <vector>

#include "tributary/v1/fetch.pb.h"

namespace tributary::scheduler {

struct WantedArticle {
  std::int64_t item_id = 0;
  std::int64_t source_id = 0;
  std::string external_id;
  std::string url;
  std::string content_hash;           // 32 bytes: the version the page is for
  std::int64_t observed_at_us = 0;    // the version's observed_at (microseconds, UTC)
  std::string item_request_id;        // the fetch that brought the version; may be empty
  std::string source_config_json;     // sources.config
  std::string title;                  // the version's title; may be empty
};

// The same item version always gets the same request id (fetch_log's key): asking twice, after a
// crash between the produce and the commit, records one fetch.
std::string ArticleRequestId(const WantedArticle& article);

// `warnings` receives one line per source option that could not be used.
v1::FetchRequest BuildArticleRequest(const WantedArticle& article, std::int64_t requested_at_unix,
                                     std::vector<std::string>* warnings);

}  // namespace tributary::scheduler
