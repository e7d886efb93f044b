#include "services/loader/pg_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "common/pg/copy_in.hpp"
#include "services/loader/copy_rows.hpp"
#include "services/loader/pg_text.hpp"
#include "services/loader/sql.hpp"

namespace tributary::loader {
namespace {

constexpr const char* kCurrent = "loader_current_rows";
constexpr const char* kChunks = "loader_upsert_chunks";
constexpr const char* kStaleChunks = "loader_delete_stale_chunks";
constexpr const char* kItems = "loader_items";
constexpr const char* kItemsFromStage = "loader_items_from_stage";
constexpr const char* kStories = "loader_stories";
constexpr const char* kStoryItems = "loader_story_items";
constexpr const char* kRecount = "loader_recount";
constexpr const char* kLastSeen = "loader_items_last_seen";
constexpr const char* kEmbeddings = "loader_embeddings";
constexpr const char* kEmbeddingsFromStage = "loader_embeddings_from_stage";
constexpr const char* kOutcomes = "loader_source_outcomes";
constexpr const char* kFetchLog = "loader_fetch_log";
constexpr const char* kFeeds = "loader_feeds";
constexpr const char* kNewItems = "loader_count_new_items";
constexpr const char* kArticles = "loader_merge_articles";
constexpr const char* kArticleFailures = "loader_fail_articles";
constexpr const char* kArticleVectors = "loader_article_vectors_missing";

pqxx::result Exec(pqxx::work& tx, const char* statement, const std::vector<std::string>& params) {
  return tx.exec_prepared(statement, pqxx::prepare::make_dynamic_params(params));
}

// Items inserted per request id, with the request's source and fetch time (kCountNewItems).
class NewItemsPerRequest {
 public:
  void Add(const std::string& request_id, const std::string& source_id,
           const std::string& fetched_at) {
    auto [it, first] = counts_.try_emplace(request_id, Entry{source_id, fetched_at, 0});
    ++it->second.count;
  }
  [[nodiscard]] bool empty() const { return counts_.empty(); }
  std::vector<std::string> Params() const {
    std::vector<std::string> request_ids, sources, fetched, counts;
    for (const auto& [request_id, entry] : counts_) {
      request_ids.push_back(request_id);
      sources.push_back(entry.source_id);
      fetched.push_back(entry.fetched_at);
      counts.push_back(std::to_string(entry.count));
    }
    return {ArrayLiteral(std::span<const std::string>(request_ids)),
            ArrayLiteral(std::span<const std::string>(sources)),
            ArrayLiteral(std::span<const std::string>(fetched)),
            ArrayLiteral(std::span<const std::string>(counts))};
  }

 private:
  struct Entry {
    std::string source_id;
    std::string fetched_at;
    int count = 0;
  };
  std::map<std::string, Entry> counts_;  // sorted: rows are locked in key order
};

}  // namespace

PgStore::PgStore(pg::Database& database, metrics::Counter* retries, std::size_t copy_min_rows,
                 AnnIndex ann_index)
    : database_(database),
      retries_(retries),
      copy_min_rows_(copy_min_rows),
      ann_index_(ann_index) {
  database_.OnConnect(sql::kCreateStageTables);
  database_.Prepare(kCurrent, sql::kCurrentRows);
  database_.Prepare(kItems, sql::kUpsertItems);
  database_.Prepare(kItemsFromStage, sql::kUpsertItemsFromStage);
  database_.Prepare(kStories, sql::kUpsertStories);
  database_.Prepare(kStoryItems, sql::kMapStoryItems);
  database_.Prepare(kRecount, sql::kRecountStories);
  database_.Prepare(kLastSeen, sql::kUpdateItemsLastSeen);
  database_.Prepare(kEmbeddings, sql::kUpsertEmbeddings);
  database_.Prepare(kEmbeddingsFromStage, sql::kUpsertEmbeddingsFromStage);
  database_.Prepare(kChunks, sql::kUpsertChunks);
  database_.Prepare(kStaleChunks, sql::kDeleteStaleChunks);
  database_.Prepare(kOutcomes, sql::kUpdateSourceOutcomes);
  database_.Prepare(kFetchLog, sql::kUpsertFetchLog);
  database_.Prepare(kFeeds, sql::kUpsertFeeds);
  database_.Prepare(kNewItems, sql::kCountNewItems);
  database_.Prepare(kArticles, sql::kMergeArticles);
  database_.Prepare(kArticleFailures, sql::kFailArticles);
  database_.Prepare(kArticleVectors, sql::kArticleVectorsMissing);
}

Result<int> PgStore::ModelId(const ModelKey& model) {
  if (auto it = models_.find(model); it != models_.end()) return it->second;
  auto registered = database_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO embedding_models (name, version, dims, distance) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (name, version) DO NOTHING",
        model.name, model.version, model.dims, model.distance);
    const auto row = tx.exec_params1(
        "SELECT id, dims, distance FROM embedding_models WHERE name = $1 AND version = $2",
        model.name, model.version);
    tx.commit();
    return std::tuple{row[0].as<int>(), row[1].as<int>(), row[2].as<std::string>()};
  });
  if (!registered) return tl::unexpected(registered.error());
  const auto& [id, dims, distance] = *registered;
  if (dims != model.dims) {
    return Fail(ErrorKind::kPermanent, "invalid.dims",
                fmt::format("model {}/{} is registered with {} dims, the record has {}",
                            model.name, model.version, dims, model.dims));
  }
  if (distance != model.distance) {
    return Fail(ErrorKind::kPermanent, "invalid.distance",
                fmt::format("model {}/{} is registered with distance {}, the record has {}",
                            model.name, model.version, distance, model.distance));
  }
  if (ann_index_ == AnnIndex::kBuild) {
    // Its own short transaction, before any vector of the model is written: the index build
    // blocks writes to item_embeddings while it runs (0003).
    auto indexed = database_.Run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      tx.exec_params("SELECT tributary_ensure_model_index($1)", id);
      tx.commit();
    });
    if (!indexed) return tl::unexpected(indexed.error());
  }
  models_.emplace(model, id);
  return id;
}

Result<WriteStats> PgStore::Write(const Batch& batch) {
  std::map<ModelKey, int> model_ids;
  for (const auto* rows : {&batch.items, &batch.articles}) {
    for (const auto& item : *rows) {
      if (!item.embedding || model_ids.contains(item.embedding->model)) continue;
      auto id = ModelId(item.embedding->model);
      if (!id) return tl::unexpected(id.error());
      model_ids.emplace(item.embedding->model, *id);
    }
  }
  int attempts = 0;
  return database_.Run([&](pqxx::connection& c) {
    if (attempts++ > 0 && retries_ != nullptr) retries_->Inc();
    return WriteInTransaction(c, batch, model_ids);
  });
}

// A merged article's vector (of the page's text) replaces the item's: it joins `vectors` in
// place of any vector of the same item, which stays sorted by key (the lock order). So does
// the vector of an article merged before whose vector or passages are missing (a backfill).
void PgStore::MergeArticles(pqxx::work& tx, const std::vector<ItemRow>& articles,
                            const std::map<ModelKey, int>& model_ids,
                            std::vector<ItemRow>& vectors, WriteStats& stats) {
  stats.articles_merged = Exec(tx, kArticles, sql::ArticleParams(articles)).affected_rows();
  std::vector<const ItemRow*> with_vectors;
  for (const auto& article : articles) {
    if (article.embedding) with_vectors.push_back(&article);
  }
  if (with_vectors.empty()) return;
  std::vector<const ItemRow*> write;
  for (const auto& row :
       Exec(tx, kArticleVectors, sql::ArticleVectorParams(with_vectors, model_ids))) {
    write.push_back(with_vectors[row[0].as<std::size_t>() - 1]);
  }
  if (write.empty()) return;
  std::set<std::pair<std::int64_t, std::string_view>> keys;
  for (const auto* article : write) keys.emplace(article->source_id, article->external_id);
  std::erase_if(vectors, [&](const ItemRow& item) {
    return keys.contains({item.source_id, item.external_id});
  });
  for (const auto* article : write) vectors.push_back(*article);
  std::stable_sort(vectors.begin(), vectors.end(), [](const ItemRow& a, const ItemRow& b) {
    return std::tie(a.source_id, a.external_id) < std::tie(b.source_id, b.external_id);
  });
}

WriteStats PgStore::WriteInTransaction(pqxx::connection& connection, const Batch& batch,
                                       const std::map<ModelKey, int>& model_ids) {
  WriteStats stats;
  pqxx::work tx(connection);
  // Rows already stored as they are (or newer) are left out of the upserts below; for them the
  // guarded upsert would be a no-op anyway, but one that parses every column and locks the row.
  std::vector<ItemRow> items;
  std::vector<ItemRow> vectors;
  if (!batch.items.empty()) {
    std::vector<char> item_current(batch.items.size(), 0);
    std::vector<char> vector_current(batch.items.size(), 0);
    for (const auto& row : Exec(tx, kCurrent, sql::CurrentRowsParams(batch.items, model_ids))) {
      const auto n = row[0].as<std::size_t>() - 1;
      item_current[n] = row[1].as<bool>() ? 1 : 0;
      vector_current[n] = !row[2].is_null() && row[2].as<bool>() ? 1 : 0;
    }
    for (std::size_t n = 0; n < batch.items.size(); ++n) {
      if (!item_current[n]) items.push_back(batch.items[n]);
      if (batch.items[n].embedding && !vector_current[n]) vectors.push_back(batch.items[n]);
    }
  }
  stats.items_unchanged = batch.items.size() - items.size();
  if (!items.empty()) {
    pqxx::result changed;
    if (items.size() >= copy_min_rows_) {
      pg::CopyIn(tx, sql::kCopyStageItems, ItemsCopy(items));
      changed = tx.exec_prepared(kItemsFromStage);
    } else {
      changed = Exec(tx, kItems, sql::ItemParams(items));
    }
    std::vector<std::string> changed_ids, new_sources, new_seen;
    std::vector<OptText> urls, titles, seen, item_urls;
    NewItemsPerRequest new_items;
    for (const auto& row : changed) {
      const bool inserted = row[1].as<bool>();
      ++(inserted ? stats.items_inserted : stats.items_updated);
      changed_ids.push_back(row[0].c_str());
      item_urls.push_back(row[3].is_null() ? OptText{} : OptText{row[3].c_str()});
      if (!row[3].is_null()) {
        urls.emplace_back(row[3].c_str());
        titles.push_back(row[4].is_null() ? OptText{} : OptText{row[4].c_str()});
        seen.emplace_back(row[5].c_str());
      }
      if (inserted) {
        new_sources.push_back(row[2].c_str());
        new_seen.push_back(row[5].c_str());
        if (!row[6].is_null()) new_items.Add(row[6].c_str(), row[2].c_str(), row[5].c_str());
      }
    }
    stats.items_unchanged += items.size() - changed.size();
    if (!urls.empty()) {
      Exec(tx, kStories,
           {ArrayLiteral(std::span<const OptText>(urls)),
            ArrayLiteral(std::span<const OptText>(titles)),
            ArrayLiteral(std::span<const OptText>(seen))});
    }
    if (!changed_ids.empty()) {
      const auto touched = Exec(tx, kStoryItems,
                                {ArrayLiteral(std::span<const std::string>(changed_ids)),
                                 ArrayLiteral(std::span<const OptText>(item_urls))});
      std::vector<std::string> story_ids;
      for (const auto& row : touched) story_ids.push_back(row[0].c_str());
      if (!story_ids.empty()) {
        Exec(tx, kRecount, {ArrayLiteral(std::span<const std::string>(story_ids))});
      }
    }
    if (!new_items.empty()) Exec(tx, kNewItems, new_items.Params());
    if (!new_sources.empty()) {
      Exec(tx, kLastSeen,
           {ArrayLiteral(std::span<const std::string>(new_sources)),
            ArrayLiteral(std::span<const std::string>(new_seen))});
    }
  }
  if (!batch.articles.empty()) MergeArticles(tx, batch.articles, model_ids, vectors, stats);
  if (!batch.article_failures.empty()) {
    stats.articles_failed =
        Exec(tx, kArticleFailures, sql::ArticleFailureParams(batch.article_failures))
            .affected_rows();
  }
  if (!vectors.empty()) {
    if (vectors.size() >= copy_min_rows_) {
      pg::CopyIn(tx, sql::kCopyStageEmbeddings, EmbeddingsCopy(vectors, model_ids));
      stats.embeddings_written = tx.exec_prepared(kEmbeddingsFromStage).affected_rows();
    } else {
      stats.embeddings_written =
          Exec(tx, kEmbeddings, sql::EmbeddingParams(vectors, model_ids)).affected_rows();
    }
    const bool chunked = std::any_of(vectors.begin(), vectors.end(), [](const ItemRow& item) {
      return item.embedding->chunked;
    });
    if (chunked) {
      stats.chunks_deleted =
          Exec(tx, kStaleChunks, sql::ChunkCountParams(vectors, model_ids)).affected_rows();
      stats.chunks_written =
          Exec(tx, kChunks, sql::ChunkParams(vectors, model_ids)).affected_rows();
    }
  }
  if (!batch.source_outcomes.empty()) {
    stats.sources_updated =
        Exec(tx, kOutcomes, sql::SourceOutcomeParams(batch.source_outcomes)).affected_rows();
  }
  if (!batch.fetch_log.empty()) {
    stats.fetch_log_written = Exec(tx, kFetchLog, sql::FetchLogParams(batch.fetch_log)).size();
  }
  if (!batch.feeds.empty()) {
    stats.feeds_written = Exec(tx, kFeeds, sql::FeedParams(batch.feeds)).affected_rows();
  }
  tx.commit();
  return stats;
}

}  // namespace tributary::loader
