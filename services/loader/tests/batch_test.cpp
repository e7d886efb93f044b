#include "services/loader/batch.hpp"

#include <gtest/gtest.h>

#include <array>

#include "services/loader/tests/fixtures.hpp"

namespace tributary::loader {
namespace {

using testing::MakeItem;

Record ItemRecord(std::int64_t source, const std::string& id, int version, std::int64_t observed) {
  return Record{*ToItemRow(MakeItem(source, id, version, observed))};
}

TEST(BuildBatch, DedupesByKeyNewestObservedAtWinsAndSortsByKey) {
  std::vector<Record> records = {
      ItemRecord(2, "b", 1, 100), ItemRecord(1, "z", 1, 100), ItemRecord(2, "b", 3, 300),
      ItemRecord(2, "b", 2, 200),  // older than v3, arrives later: loses
      ItemRecord(1, "a", 1, 100)};
  std::vector<const Record*> pointers;
  for (const auto& r : records) pointers.push_back(&r);

  const auto batch = BuildBatch(pointers);

  ASSERT_EQ(batch.items.size(), 3U);
  EXPECT_EQ(batch.items[0].source_id, 1);
  EXPECT_EQ(batch.items[0].external_id, "a");
  EXPECT_EQ(batch.items[1].external_id, "z");
  EXPECT_EQ(batch.items[2].source_id, 2);
  EXPECT_EQ(batch.items[2].content_hash, testing::Hash(3));
}

TEST(BuildBatch, OnAnObservedAtTieTheLaterMessageWins) {
  std::vector<Record> records = {ItemRecord(1, "a", 1, 100), ItemRecord(1, "a", 2, 100)};
  const auto batch = BuildBatch({&records[0], &records[1]});
  ASSERT_EQ(batch.items.size(), 1U);
  EXPECT_EQ(batch.items[0].content_hash, testing::Hash(2));
}

Record ArticleRecord(std::int64_t source, const std::string& id, int version,
                     std::int64_t fetched) {
  auto item = MakeItem(source, id, version, 100);
  item.set_content_hash(testing::Hash(1000 + static_cast<int>(fetched)));
  item.mutable_article()->set_item_content_hash(testing::Hash(version));
  item.mutable_article()->mutable_fetched_at()->set_seconds(fetched);
  return Record{*ToItemRow(item)};
}

// An article page and its item share a key but are different writes: neither displaces the
// other; of two fetches of one item's page, the newer is merged.
TEST(BuildBatch, ArticlesAreKeptApartFromItemsAndTheNewestFetchWins) {
  std::vector<Record> records = {ItemRecord(1, "a", 1, 100), ArticleRecord(1, "a", 1, 500),
                                 ArticleRecord(1, "a", 1, 400), ArticleRecord(1, "b", 1, 300)};
  std::vector<const Record*> pointers;
  for (const auto& r : records) pointers.push_back(&r);
  const auto batch = BuildBatch(pointers);
  ASSERT_EQ(batch.items.size(), 1U);
  EXPECT_FALSE(batch.items[0].article.has_value());
  ASSERT_EQ(batch.articles.size(), 2U);
  EXPECT_EQ(batch.articles[0].external_id, "a");
  EXPECT_EQ(batch.articles[0].article->fetched_at_us, 500'000'000);
  EXPECT_EQ(batch.articles[1].external_id, "b");
}

TEST(BuildBatch, AFailedArticleFetchOrExtractionIsAnArticleFailureAndNeverASourceOutcome) {
  auto gone = testing::MakeFetchEvent(7, "art-1", v1::FETCH_OUTCOME_HTTP_ERROR, 404, 100);
  auto fine = testing::MakeFetchEvent(7, "art-2", v1::FETCH_OUTCOME_OK, 200, 100);
  auto unreadable = testing::MakeParseEvent(7, "art-2", 100, 0);
  unreadable.mutable_parse()->set_ok(false);
  unreadable.set_error("no article text found on the page of item 'b'");
  const std::array events{&gone, &fine, &unreadable};
  for (auto* event : events) {
    const bool first = event == &gone;
    event->set_depth(1);
    event->mutable_article_of()->set_external_id(first ? "a" : "b");
    event->mutable_article_of()->set_content_hash(testing::Hash(first ? 1 : 2));
  }
  const Record r1{*ToSourceEventRow(gone)};
  const Record r2{*ToSourceEventRow(fine)};
  const Record r3{*ToSourceEventRow(unreadable)};
  const auto batch = BuildBatch({&r1, &r2, &r3});
  EXPECT_TRUE(batch.source_outcomes.empty()) << "a child's outcome is its own";
  ASSERT_EQ(batch.article_failures.size(), 2U);
  EXPECT_EQ(batch.article_failures[0].external_id, "a");
  EXPECT_EQ(batch.article_failures[0].error, "HTTP 404");
  EXPECT_EQ(batch.article_failures[0].item_content_hash, testing::Hash(1));
  EXPECT_EQ(batch.article_failures[1].external_id, "b");
  EXPECT_EQ(batch.article_failures[1].error, "no article text found on the page of item 'b'");
  EXPECT_EQ(batch.fetch_log.size(), 2U);
}

TEST(BuildBatch, MergesFetchAndParseEventsOfOneRequestInEitherOrder) {
  for (bool parse_first : {false, true}) {
    Record fetch{*ToSourceEventRow(
        testing::MakeFetchEvent(7, "r1", v1::FETCH_OUTCOME_OK, 200, 100))};
    Record parse{*ToSourceEventRow(testing::MakeParseEvent(7, "r1", 100, 12))};
    const auto batch = parse_first ? BuildBatch({&parse, &fetch}) : BuildBatch({&fetch, &parse});
    ASSERT_EQ(batch.fetch_log.size(), 1U);
    const auto& row = batch.fetch_log[0];
    EXPECT_EQ(row.status, 200);
    EXPECT_EQ(row.items_seen, 12);
    EXPECT_EQ(row.parse_ok, true);
    EXPECT_EQ(row.outcome, "ok");
    EXPECT_EQ(row.bytes, 1000);
    ASSERT_EQ(batch.source_outcomes.size(), 1U) << "only the fetch event updates sources";
    EXPECT_TRUE(batch.source_outcomes[0].is_fetch);
  }
}

TEST(BuildBatch, KeepsTheNewestFeedMetadataPerSource) {
  auto older_event = testing::MakeParseEvent(3, "r2", 200, 1);
  older_event.mutable_parse()->mutable_feed()->set_title("Old");
  auto newer_event = testing::MakeParseEvent(3, "r3", 300, 1);
  newer_event.mutable_parse()->mutable_feed()->set_title("New");
  Record older{*ToSourceEventRow(older_event)};
  Record newer{*ToSourceEventRow(newer_event)};
  Record plain{*ToSourceEventRow(testing::MakeParseEvent(4, "r4", 400, 1))};
  const auto batch = BuildBatch({&newer, &older, &plain});
  ASSERT_EQ(batch.feeds.size(), 1U) << "an event without metadata writes no feeds row";
  EXPECT_EQ(batch.feeds[0].title, "New");
}

TEST(BuildBatch, KeepsTheNewestFetchOutcomePerSource) {
  Record older{*ToSourceEventRow(
      testing::MakeFetchEvent(3, "r2", v1::FETCH_OUTCOME_HTTP_ERROR, 500, 200))};
  Record newer{*ToSourceEventRow(testing::MakeFetchEvent(3, "r3", v1::FETCH_OUTCOME_OK, 200, 300))};
  const auto batch = BuildBatch({&newer, &older});
  ASSERT_EQ(batch.source_outcomes.size(), 1U);
  EXPECT_EQ(batch.source_outcomes[0].request_id, "r3");
  EXPECT_EQ(batch.fetch_log.size(), 2U) << "both requests are facts for fetch_log";
}

}  // namespace
}  // namespace tributary::loader
