#include "services/embedder/batcher.hpp"

#include <gtest/gtest.h>

#include "common/base/testing/fake_clock.hpp"

namespace tributary::embedder {
namespace {

using namespace std::chrono_literals;

std::vector<int> Items(const Batch<int>& batch) { return batch.items; }

TEST(Batcher, ClosesABatchAtTheItemCount) {
  tributary::testing::FakeClock clock;
  Batcher<int> batcher({.max_items = 3, .max_tokens = 1000, .linger = 1s});
  EXPECT_TRUE(batcher.Add(1, 10, clock.Now()).empty());
  EXPECT_TRUE(batcher.Add(2, 10, clock.Now()).empty());
  const auto closed = batcher.Add(3, 10, clock.Now());
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_EQ(Items(closed[0]), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(closed[0].tokens, 30U);
  EXPECT_EQ(batcher.size(), 0U);
}

TEST(Batcher, AnInputThatWouldPassTheTokenLimitStartsTheNextBatch) {
  tributary::testing::FakeClock clock;
  Batcher<int> batcher({.max_items = 100, .max_tokens = 100, .linger = 1s});
  EXPECT_TRUE(batcher.Add(1, 60, clock.Now()).empty());
  const auto closed = batcher.Add(2, 50, clock.Now());
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_EQ(Items(closed[0]), std::vector<int>{1});
  EXPECT_EQ(batcher.size(), 1U);
}

TEST(Batcher, AnInputLargerThanTheLimitGoesAlone) {
  tributary::testing::FakeClock clock;
  Batcher<int> batcher({.max_items = 100, .max_tokens = 100, .linger = 1s});
  EXPECT_TRUE(batcher.Add(1, 10, clock.Now()).empty());
  const auto closed = batcher.Add(2, 500, clock.Now());
  ASSERT_EQ(closed.size(), 2U);
  EXPECT_EQ(Items(closed[0]), std::vector<int>{1});
  EXPECT_EQ(Items(closed[1]), std::vector<int>{2});
  EXPECT_EQ(batcher.size(), 0U);
}

TEST(Batcher, FlushesWhenTheOldestInputLingered) {
  tributary::testing::FakeClock clock;
  Batcher<int> batcher({.max_items = 100, .max_tokens = 1000, .linger = 50ms});
  EXPECT_FALSE(batcher.FlushIfDue(clock.Now()));
  (void)batcher.Add(1, 1, clock.Now());
  clock.Advance(30ms);
  (void)batcher.Add(2, 1, clock.Now());
  EXPECT_FALSE(batcher.FlushIfDue(clock.Now()));
  clock.Advance(20ms);  // 50 ms since the first input, 20 ms since the second
  const auto batch = batcher.FlushIfDue(clock.Now());
  ASSERT_TRUE(batch);
  EXPECT_EQ(Items(*batch), (std::vector<int>{1, 2}));
  // The linger starts again with the next batch's first input.
  (void)batcher.Add(3, 1, clock.Now());
  clock.Advance(49ms);
  EXPECT_FALSE(batcher.FlushIfDue(clock.Now()));
}

TEST(Batcher, DropsSelectedInputsAndRecountsTokens) {
  tributary::testing::FakeClock clock;
  Batcher<int> batcher({.max_items = 4, .max_tokens = 1000, .linger = 1s});
  for (int i = 1; i <= 3; ++i) (void)batcher.Add(i, 10, clock.Now());
  EXPECT_EQ(batcher.DropIf([](int i) { return i % 2 == 1; }, [](const int&) { return 10U; }), 2U);
  EXPECT_EQ(batcher.size(), 1U);
  const auto closed = batcher.Add(4, 10, clock.Now());
  EXPECT_TRUE(closed.empty());
  (void)batcher.Add(5, 10, clock.Now());
  const auto full = batcher.Add(6, 10, clock.Now());
  ASSERT_EQ(full.size(), 1U);
  EXPECT_EQ(Items(full[0]), (std::vector<int>{2, 4, 5, 6}));
  EXPECT_EQ(full[0].tokens, 40U);
}

}  // namespace
}  // namespace tributary::embedder
