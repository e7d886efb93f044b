#pragma once
// The Store on PostgreSQL: one transaction per batch. A cheap key+hash query first finds the
// rows already stored as they are (left out: no parse, no lock, no WAL), then upserts in a fixed
// table order (items, stories, story_items, embeddings, sources, fetch_log) with rows in key
// order. Items and vectors to write travel by binary COPY into per-session stage tables when
// there are at least `copy_min_rows` of them, else as prepared `INSERT ... SELECT FROM
// unnest(...)` (services/loader/README.md has the measurements behind the choice). Embedding
// models are registered (and their HNSW index built) in their own short transactions first,
// and cached.
#include <map>

#include "common/metrics/registry.hpp"
#include "common/pg/database.hpp"
#include "services/loader/store.hpp"

namespace tributary::loader {

// Whether registering a model also builds its HNSW index. kDefer is for bulk loads and
// backfills: maintaining HNSW row by row is most of a batch's database time, while building
// the index once afterwards (`tributary index build`) is several times cheaper; until then
// searches scan. An index that exists is maintained either way.
enum class AnnIndex { kBuild, kDefer };

class PgStore final : public Store {
 public:
  // Below this many rows to write, unnest; from it on, binary COPY into the stage tables.
  static constexpr std::size_t kDefaultCopyMinRows = 32;

  // `retries` counts transient failures that were retried (may be null).
  PgStore(pg::Database& database, metrics::Counter* retries,
          std::size_t copy_min_rows = kDefaultCopyMinRows, AnnIndex ann_index = AnnIndex::kBuild);

  [[nodiscard]] Result<WriteStats> Write(const Batch& batch) override;

  // The id of a registered model; registers it (and builds its index, unless deferred) when
  // new. A model
  // registered with other dims is a permanent error for the rows that name it.
  [[nodiscard]] Result<int> ModelId(const ModelKey& model);

 private:
  WriteStats WriteInTransaction(pqxx::connection& connection, const Batch& batch,
                                const std::map<ModelKey, int>& model_ids);
  static void MergeArticles(pqxx::work& tx, const std::vector<ItemRow>& articles,
                            const std::map<ModelKey, int>& model_ids,
                            std::vector<ItemRow>& vectors, WriteStats& stats);

  pg::Database& database_;
  metrics::Counter* retries_;
  std::size_t copy_min_rows_;
  AnnIndex ann_index_;
  std::map<ModelKey, int> models_;
};

}  // namespace tributary::loader
