#include "services/loader/batch.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace tributary::loader {
namespace {

template <typename T>
void Fill(std::optional<T>& into, const std::optional<T>& from) {
  if (!into && from) into = from;
}

// A failed article fetch: the fetch's outcome was an error, or the page had no article.
bool ArticleFailed(const SourceEventRow& event) {
  if (!event.article_external_id) return false;
  if (event.is_fetch) return event.outcome != "ok" && event.outcome != "not_modified";
  return event.parse_ok.has_value() && !*event.parse_ok;
}

std::string FailureText(const SourceEventRow& event) {
  if (event.error) return *event.error;
  if (event.status) return event.outcome + " " + std::to_string(*event.status);
  return event.outcome;
}

}  // namespace

void MergeFetchLog(SourceEventRow& into, const SourceEventRow& from) {
  Fill(into.status, from.status);
  Fill(into.bytes, from.bytes);
  Fill(into.latency_ms, from.latency_ms);
  Fill(into.error_class, from.error_class);
  Fill(into.error, from.error);
  Fill(into.items_seen, from.items_seen);
  Fill(into.children, from.children);
  Fill(into.format, from.format);
  Fill(into.parse_ok, from.parse_ok);
  Fill(into.parent_request_id, from.parent_request_id);
  // The fetcher's outcome is the authority; a parse event only implies "ok".
  if (from.is_fetch && !into.is_fetch) {
    into.outcome = from.outcome;
    into.is_fetch = true;
  }
}

Batch BuildBatch(const std::vector<const Record*>& records) {
  std::map<std::pair<std::int64_t, std::string_view>, const ItemRow*> items;
  std::map<std::string_view, SourceEventRow> fetch_log;
  std::map<std::int64_t, const SourceEventRow*> outcomes;
  std::map<std::int64_t, const FeedRow*> feeds;
  std::map<std::pair<std::int64_t, std::string_view>, const ItemRow*> articles;
  std::map<std::pair<std::int64_t, std::string_view>, ArticleFailure> article_failures;
  for (const Record* record : records) {
    if (const auto* item = std::get_if<ItemRow>(record)) {
      if (item->article) {  // an article page: merged into its item, newest fetch wins
        auto [it, inserted] = articles.try_emplace({item->source_id, item->external_id}, item);
        if (!inserted && it->second->article->fetched_at_us <= item->article->fetched_at_us) {
          it->second = item;
        }
      } else {
        auto [it, inserted] = items.try_emplace({item->source_id, item->external_id}, item);
        if (!inserted && it->second->observed_at_us <= item->observed_at_us) it->second = item;
      }
      continue;
    }
    const auto& event = std::get<SourceEventRow>(*record);
    auto [log, inserted] = fetch_log.try_emplace(event.request_id, event);
    if (!inserted) MergeFetchLog(log->second, event);
    // A child's outcome is its own (DESIGN §4): it never touches the parent source's row.
    if (event.is_fetch && !event.is_child) {
      auto [it, first] = outcomes.try_emplace(event.source_id, &event);
      if (!first && it->second->observed_at_us <= event.observed_at_us) it->second = &event;
    }
    if (ArticleFailed(event)) {
      article_failures.insert_or_assign({event.source_id, *event.article_external_id},
                                        ArticleFailure{.source_id = event.source_id,
                                                       .external_id = *event.article_external_id,
                                                       .item_content_hash = event.article_item_hash,
                                                       .error = FailureText(event)});
    }
    if (event.feed) {
      auto [it, first] = feeds.try_emplace(event.source_id, &*event.feed);
      if (!first && it->second->observed_at_us <= event.feed->observed_at_us) {
        it->second = &*event.feed;
      }
    }
  }
  Batch batch;
  batch.items.reserve(items.size());
  for (const auto& [key, row] : items) batch.items.push_back(*row);
  batch.fetch_log.reserve(fetch_log.size());
  for (auto& [key, row] : fetch_log) batch.fetch_log.push_back(std::move(row));
  for (const auto& [key, row] : outcomes) batch.source_outcomes.push_back(*row);
  for (const auto& [key, row] : feeds) batch.feeds.push_back(*row);
  for (const auto& [key, row] : articles) batch.articles.push_back(*row);
  for (auto& [key, failure] : article_failures) {
    batch.article_failures.push_back(std::move(failure));
  }
  return batch;
}

}  // namespace tributary::loader
