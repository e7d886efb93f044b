#pragma once
// The statements the loader runs and the parameters that carry a whole batch to them: each
// column travels as one array literal and is spread back into rows with unnest(), so a batch
// of any size is one round trip per table with one prepared (plan-cached) statement.
#include <map>
#include <string>
#include <vector>

#include "services/loader/rows.hpp"

namespace tributary::loader::sql {

// Which rows of a batch are already current: per row (1-based ordinal), whether the stored item
// and the stored vector are as new or newer with the same content. Those rows are then left out
// of the upserts, so an unchanged row is one index probe: no text to parse, no row lock.
extern const char* const kCurrentRows;
// The item upsert of 0002 (DESIGN §4 guard). RETURNING: only rows inserted or replaced.
// Two sources of rows: unnest() of array parameters (ItemParams) for streaming batches, and
// the session's stage table, filled by binary COPY (copy_rows.hpp), for large ones.
extern const std::string kUpsertItems;
extern const std::string kUpsertItemsFromStage;
// Aggregated by canonical_url, in key order; stories are idempotent by construction (0002).
extern const char* const kUpsertStories;
// Maps items to their current story and removes mappings to a story they left; returns the
// ids of the stories whose membership changed.
extern const char* const kMapStoryItems;
extern const char* const kRecountStories;
// Monotonic per source: the newest fetch event applies, nothing older or equal.
extern const char* const kUpdateItemsLastSeen;
extern const std::string kUpsertEmbeddings;
extern const std::string kUpsertEmbeddingsFromStage;
// An item's passages (item_chunks, 0010) and the removal of stored ones past its new count,
// after the item_embeddings upsert and only for the version now stored.
extern const char* const kUpsertChunks;
extern const char* const kDeleteStaleChunks;
// The stage tables (per session, emptied at commit) and the COPY statements that fill them.
extern const char* const kCreateStageTables;
extern const char* const kCopyStageItems;
// Article pages merged into their items, and failed article fetches (issue 19).
extern const char* const kMergeArticles;
extern const char* const kFailArticles;
extern const char* const kArticleVectorsMissing;
extern const char* const kCopyStageEmbeddings;
extern const char* const kUpdateSourceOutcomes;
// The fill-only-NULL merge of 0004.
extern const char* const kUpsertFetchLog;
// Adds the items a request inserted to its fetch_log.items_new.
extern const char* const kCountNewItems;
// One feeds row per source: a newer observation that changes something rewrites it.
extern const char* const kUpsertFeeds;

// Parameters, in placeholder order, for the statements above.
std::vector<std::string> CurrentRowsParams(const std::vector<ItemRow>& items,
                                           const std::map<ModelKey, int>& model_ids);
std::vector<std::string> ItemParams(const std::vector<ItemRow>& items);
std::vector<std::string> ArticleParams(const std::vector<ItemRow>& articles);
// Articles with a vector only.
std::vector<std::string> ArticleVectorParams(const std::vector<const ItemRow*>& articles,
                                             const std::map<ModelKey, int>& model_ids);
std::vector<std::string> ArticleFailureParams(const std::vector<ArticleFailure>& failures);
std::vector<std::string> EmbeddingParams(const std::vector<ItemRow>& items,
                                         const std::map<ModelKey, int>& model_ids);
// Every passage of the chunked items, and each chunked item's passage count.
std::vector<std::string> ChunkParams(const std::vector<ItemRow>& items,
                                     const std::map<ModelKey, int>& model_ids);
std::vector<std::string> ChunkCountParams(const std::vector<ItemRow>& items,
                                          const std::map<ModelKey, int>& model_ids);
std::vector<std::string> FetchLogParams(const std::vector<SourceEventRow>& events);
std::vector<std::string> SourceOutcomeParams(const std::vector<SourceEventRow>& events);
std::vector<std::string> FeedParams(const std::vector<FeedRow>& feeds);

}  // namespace tributary::loader::sql
