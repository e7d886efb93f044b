#include "services/loader/core.hpp"

#include <gtest/gtest.h>

#include <set>

#include "common/runtime/testing/in_memory_bus.hpp"
#include "services/loader/tests/fixtures.hpp"

namespace tributary::loader {
namespace {

using namespace std::chrono_literals;
using testing::AsMessage;
using testing::MakeItem;

constexpr const char* kItems = "t.items";
constexpr const char* kEvents = "t.source.events";

// Rejects any batch holding a poisoned external_id, as PostgreSQL rejects a whole statement.
class FakeStore final : public Store {
 public:
  Result<WriteStats> Write(const Batch& batch) override {
    ++writes;
    if (shutting_down) return Fail(ErrorKind::kRetryable, "pg.connection", "down");
    for (const auto& item : batch.items) {
      if (poison.contains(item.external_id)) {
        return Fail(ErrorKind::kPermanent, "pg.data", "NaN not allowed in vector");
      }
    }
    for (const auto& item : batch.items) stored.push_back(item.external_id);
    return WriteStats{.items_inserted = batch.items.size()};
  }
  std::set<std::string> poison;
  std::vector<std::string> stored;
  bool shutting_down = false;
  int writes = 0;
};

class CoreTest : public ::testing::Test {
 protected:
  CoreTest() : metrics_(registry_), core_(Settings(), store_, bus_, bus_, metrics_) {}
  static CoreSettings Settings() {
    return {.batch_size = 4, .batch_linger = 200ms, .items_topic = kItems,
            .items_kind = InputKind::kItem, .events_topic = kEvents};
  }
  void AddItem(const std::string& id, std::int64_t offset, std::int32_t partition = 0) {
    core_.Add(AsMessage(MakeItem(1, id, 1), kItems, offset, partition), now_);
  }

  metrics::Registry registry_;
  LoaderMetrics metrics_;
  FakeStore store_;
  runtime::testing::InMemoryBus bus_;
  Core core_;
  Core::Clock::time_point now_{};
};

TEST_F(CoreTest, FlushesByCountAndCompletesOnlyAfterTheWrite) {
  AddItem("a", 0);
  AddItem("b", 1);
  AddItem("c", 2);
  EXPECT_TRUE(bus_.Completed().empty()) << "nothing is complete before the batch is written";
  AddItem("d", 3);
  EXPECT_EQ(store_.writes, 1);
  EXPECT_EQ(bus_.Completed(), (std::vector<std::int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(metrics_.items_inserted.Value(), 4);
}

TEST_F(CoreTest, FlushesByAge) {
  AddItem("a", 0);
  core_.FlushIfDue(now_ + 199ms);
  EXPECT_EQ(store_.writes, 0);
  core_.FlushIfDue(now_ + 200ms);
  EXPECT_EQ(store_.writes, 1);
  EXPECT_EQ(bus_.Completed().size(), 1U);
}

TEST_F(CoreTest, UndecodableMessagesGoToTheDlqAtOnceAndAreCompleted) {
  kafka::Message junk;
  junk.topic = kItems;
  junk.offset = 7;
  junk.value = "\xff\xff garbage";
  core_.Add(junk, now_);
  ASSERT_EQ(bus_.DeadLettered().size(), 1U);
  EXPECT_EQ(bus_.DeadLettered()[0].first, 7);
  EXPECT_EQ(bus_.Completed(), (std::vector<std::int64_t>{7}));
  EXPECT_EQ(core_.pending(), 0U);
}

TEST_F(CoreTest, SplitsAFailingBatchToIsolateTheBadRecord) {
  store_.poison = {"c"};
  AddItem("a", 0);
  AddItem("b", 1);
  AddItem("c", 2);
  AddItem("d", 3);
  ASSERT_EQ(bus_.DeadLettered().size(), 1U);
  EXPECT_EQ(bus_.DeadLettered()[0], (std::pair<std::int64_t, std::string>{2, "pg.data"}));
  EXPECT_EQ(store_.stored, (std::vector<std::string>{"a", "b", "d"}));
  std::vector<std::int64_t> completed = bus_.Completed();
  std::sort(completed.begin(), completed.end());
  EXPECT_EQ(completed, (std::vector<std::int64_t>{0, 1, 2, 3}));
  EXPECT_GE(metrics_.splits.Value(), 1);
}

TEST_F(CoreTest, AbandonsTheBatchWithoutCompletingWhenTheStoreGivesUp) {
  store_.shutting_down = true;
  AddItem("a", 0);
  EXPECT_FALSE(core_.Flush());
  EXPECT_TRUE(bus_.Completed().empty());
  EXPECT_TRUE(bus_.DeadLettered().empty());
}

TEST_F(CoreTest, DropsBufferedMessagesOfRevokedPartitions) {
  AddItem("a", 0, 0);
  AddItem("b", 0, 1);
  core_.DropPartitions({{kItems, 1}});
  EXPECT_EQ(core_.pending(), 1U);
  ASSERT_TRUE(core_.Flush());
  EXPECT_EQ(store_.stored, (std::vector<std::string>{"a"}));
}

TEST_F(CoreTest, RoutesSourceEventsByTopic) {
  core_.Add(AsMessage(testing::MakeFetchEvent(1, "r", v1::FETCH_OUTCOME_OK, 200, 100), kEvents, 5),
            now_);
  EXPECT_TRUE(bus_.DeadLettered().empty()) << "a SourceEvent decodes as one";
  EXPECT_EQ(core_.pending(), 1U);
}

}  // namespace
}  // namespace tributary::loader
