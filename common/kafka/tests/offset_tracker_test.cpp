#include "common/kafka/offset_tracker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace tributary::kafka {
namespace {

const TopicPartition kP0{"tributary.items", 0};
const TopicPartition kP1{"tributary.items", 1};

TEST(OffsetTracker, InOrderCompletionsStoreEachNextOffset) {
  OffsetTracker tracker;
  const auto gen = tracker.Assign(kP0);
  for (std::int64_t o = 10; o < 13; ++o) ASSERT_TRUE(tracker.Begin(kP0, o, gen));
  EXPECT_EQ(tracker.Complete(kP0, 10, gen), 11);
  EXPECT_EQ(tracker.Complete(kP0, 11, gen), 12);
  EXPECT_EQ(tracker.Complete(kP0, 12, gen), 13);
  EXPECT_EQ(tracker.InFlight(kP0), 0U);
}

TEST(OffsetTracker, OutOfOrderCompletionsStoreOnlyTheContiguousPrefix) {
  OffsetTracker tracker;
  const auto gen = tracker.Assign(kP0);
  for (std::int64_t o = 0; o < 5; ++o) ASSERT_TRUE(tracker.Begin(kP0, o, gen));
  EXPECT_EQ(tracker.Complete(kP0, 3, gen), std::nullopt);
  EXPECT_EQ(tracker.Complete(kP0, 1, gen), std::nullopt);
  EXPECT_EQ(tracker.Complete(kP0, 4, gen), std::nullopt);
  EXPECT_EQ(tracker.InFlight(kP0), 5U) << "completed ones wait behind offset 0";
  // The slow message 0 finishes: everything up to 1 is contiguous, 2 still holds 3 and 4 back.
  EXPECT_EQ(tracker.Complete(kP0, 0, gen), 2);
  EXPECT_EQ(tracker.Complete(kP0, 2, gen), 5);
  EXPECT_EQ(tracker.InFlightTotal(), 0U);
}

TEST(OffsetTracker, GapsInOffsetsDoNotBlockTheprefix) {
  // Compacted topics and transaction markers leave offsets that are never delivered.
  OffsetTracker tracker;
  const auto gen = tracker.Assign(kP0);
  ASSERT_TRUE(tracker.Begin(kP0, 5, gen));
  ASSERT_TRUE(tracker.Begin(kP0, 9, gen));
  EXPECT_EQ(tracker.Complete(kP0, 9, gen), std::nullopt);
  EXPECT_EQ(tracker.Complete(kP0, 5, gen), 10);
}

TEST(OffsetTracker, PartitionsAreIndependent) {
  OffsetTracker tracker;
  const auto g0 = tracker.Assign(kP0);
  const auto g1 = tracker.Assign(kP1);
  ASSERT_TRUE(tracker.Begin(kP0, 0, g0));
  ASSERT_TRUE(tracker.Begin(kP1, 0, g1));
  ASSERT_TRUE(tracker.Begin(kP1, 1, g1));
  EXPECT_EQ(tracker.Complete(kP1, 1, g1), std::nullopt);
  EXPECT_EQ(tracker.Complete(kP1, 0, g1), 2);
  EXPECT_EQ(tracker.InFlight(kP0), 1U);
  EXPECT_EQ(tracker.InFlightTotal(), 1U);
}

TEST(OffsetTracker, RevokedPartitionDropsInFlightWorkAndIgnoresLateCompletions) {
  OffsetTracker tracker;
  const auto gen = tracker.Assign(kP0);
  for (std::int64_t o = 0; o < 3; ++o) ASSERT_TRUE(tracker.Begin(kP0, o, gen));
  EXPECT_EQ(tracker.Complete(kP0, 1, gen), std::nullopt);
  EXPECT_EQ(tracker.Revoke(kP0), 2U) << "offsets 0 and 2 were abandoned";
  EXPECT_EQ(tracker.InFlightTotal(), 0U);
  // The worker that had offset 0 finishes after the revocation: nothing may be stored.
  EXPECT_EQ(tracker.Complete(kP0, 0, gen), std::nullopt);
  EXPECT_FALSE(tracker.Begin(kP0, 3, gen));
}

TEST(OffsetTracker, ReassignmentStartsANewGenerationThatOldWorkCannotTouch) {
  OffsetTracker tracker;
  const auto old_gen = tracker.Assign(kP0);
  ASSERT_TRUE(tracker.Begin(kP0, 0, old_gen));
  tracker.Revoke(kP0);
  const auto new_gen = tracker.Assign(kP0);
  ASSERT_NE(old_gen, new_gen);
  ASSERT_TRUE(tracker.Begin(kP0, 0, new_gen));  // redelivered to us
  EXPECT_EQ(tracker.Complete(kP0, 0, old_gen), std::nullopt);
  EXPECT_EQ(tracker.InFlight(kP0), 1U);
  EXPECT_EQ(tracker.Complete(kP0, 0, new_gen), 1);
}

TEST(OffsetTracker, DuplicateCompletionIsHarmless) {
  OffsetTracker tracker;
  const auto gen = tracker.Assign(kP0);
  ASSERT_TRUE(tracker.Begin(kP0, 0, gen));
  ASSERT_TRUE(tracker.Begin(kP0, 1, gen));
  EXPECT_EQ(tracker.Complete(kP0, 0, gen), 1);
  EXPECT_EQ(tracker.Complete(kP0, 0, gen), std::nullopt);
  EXPECT_EQ(tracker.InFlight(kP0), 1U);
}

TEST(OffsetTracker, RandomCompletionOrderNeverStoresPastAnUnfinishedOffset) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 50; ++round) {
    OffsetTracker tracker;
    const auto gen = tracker.Assign(kP0);
    std::vector<std::int64_t> offsets(200);
    for (std::int64_t o = 0; o < 200; ++o) {
      offsets[static_cast<std::size_t>(o)] = o;
      ASSERT_TRUE(tracker.Begin(kP0, o, gen));
    }
    std::shuffle(offsets.begin(), offsets.end(), rng);
    std::vector<bool> done(200, false);
    std::int64_t stored = 0;
    for (const auto o : offsets) {
      done[static_cast<std::size_t>(o)] = true;
      if (const auto next = tracker.Complete(kP0, o, gen)) {
        ASSERT_GT(*next, stored) << "stored offsets only move forward";
        stored = *next;
      }
      for (std::int64_t below = 0; below < stored; ++below) {
        ASSERT_TRUE(done[static_cast<std::size_t>(below)]) << "stored " << stored
                                                           << " past unfinished " << below;
      }
    }
    EXPECT_EQ(stored, 200);
  }
}

}  // namespace
}  // namespace tributary::kafka
