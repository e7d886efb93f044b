#include "services/loader/batch.hpp"

#include <gtest/gtest.h>

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
