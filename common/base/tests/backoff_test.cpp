#include "common/base/backoff.hpp"

#include <gtest/gtest.h>

namespace tributary {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, StaysWithinTheDoublingCeilingAndTheCap) {
  Backoff backoff(milliseconds(100), milliseconds(1000), /*seed=*/42);
  const std::int64_t ceilings[] = {100, 200, 400, 800, 1000, 1000, 1000};
  for (const auto ceiling : ceilings) {
    const auto delay = backoff.Next().count();
    EXPECT_GE(delay, 1);
    EXPECT_LE(delay, ceiling);
  }
}

TEST(Backoff, JittersSoReplicasDoNotRetryInLockstep) {
  Backoff a(milliseconds(1000), milliseconds(60000), 1);
  Backoff b(milliseconds(1000), milliseconds(60000), 2);
  int differing = 0;
  for (int i = 0; i < 8; ++i) differing += a.Next() != b.Next() ? 1 : 0;
  EXPECT_GT(differing, 4);
}

TEST(Backoff, ResetStartsOverAndManyAttemptsNeverOverflow) {
  Backoff backoff(milliseconds(10), milliseconds(50), 7);
  for (int i = 0; i < 200; ++i) EXPECT_LE(backoff.Next().count(), 50);
  backoff.Reset();
  EXPECT_EQ(backoff.attempt(), 0);
  EXPECT_LE(backoff.Next().count(), 10);
}

}  // namespace
}  // namespace tributary
