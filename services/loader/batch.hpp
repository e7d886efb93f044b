#pragma once
// A batch as it is written: deduplicated by natural key (newest observed_at wins; on a tie the
// later message wins) and sorted by key, so one statement never touches a row twice and two
// loaders always lock rows in the same order (no deadlocks between them, DESIGN §4).
#include <vector>

#include "services/loader/decode.hpp"
#include "services/loader/rows.hpp"

namespace tributary::loader {

struct Batch {
  std::vector<ItemRow> items;                   // by (source_id, external_id)
  std::vector<SourceEventRow> fetch_log;        // by request_id, fetch + parse events merged
  std::vector<SourceEventRow> source_outcomes;  // fetch events, newest per source_id
  std::vector<FeedRow> feeds;                   // the newest per source_id
  // Article pages to merge (ItemRow.article set), the newest fetch per item key; and failed
  // article fetches, one per item key.
  std::vector<ItemRow> articles;
  std::vector<ArticleFailure> article_failures;
  [[nodiscard]] bool empty() const {
    return items.empty() && fetch_log.empty() && source_outcomes.empty() && feeds.empty() &&
           articles.empty() && article_failures.empty();
  }
};

// `records` in consumption order.
Batch BuildBatch(const std::vector<const Record*>& records);

// Fills the columns `into` lacks from `from` (the fetch_log merge of 0004: order-independent).
void MergeFetchLog(SourceEventRow& into, const SourceEventRow& from);

}  // namespace tributary::loader
