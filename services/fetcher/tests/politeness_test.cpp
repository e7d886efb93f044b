// Rate limiter, circuit breaker and backoff with a fake clock: no sleeping, no timing.
#include <gtest/gtest.h>

#include "common/base/backoff.hpp"
#include "common/base/testing/fake_clock.hpp"
#include "services/fetcher/politeness.hpp"

namespace tributary::fetcher {
namespace {

using namespace std::chrono_literals;
using tributary::testing::FakeClock;

TEST(TokenBucket, BurstThenRate) {
  FakeClock clock;
  TokenBucket bucket(2.0, 3.0, clock);  // 2/s, burst 3
  EXPECT_EQ(bucket.TryTake(), 0ns);
  EXPECT_EQ(bucket.TryTake(), 0ns);
  EXPECT_EQ(bucket.TryTake(), 0ns);
  const auto wait = bucket.TryTake();
  EXPECT_GT(wait, 499ms);
  EXPECT_LE(wait, 501ms);
  clock.Advance(250ms);
  EXPECT_GT(bucket.TryTake(), 0ns);  // half a token is not a token
  clock.Advance(250ms);
  EXPECT_EQ(bucket.TryTake(), 0ns);
  EXPECT_GT(bucket.TryTake(), 0ns);
}

TEST(TokenBucket, BelowOnePerSecondAndStartingWithOneToken) {
  FakeClock clock;
  TokenBucket bucket(0.2, 1.0, clock, /*initial=*/1.0);
  EXPECT_EQ(bucket.TryTake(), 0ns);
  const auto wait = bucket.TryTake();
  EXPECT_GT(wait, 4999ms);
  EXPECT_LE(wait, 5001ms);
  clock.Advance(5s);
  EXPECT_EQ(bucket.TryTake(), 0ns);

  TokenBucket fresh(2.0, 4.0, clock, /*initial=*/1.0);
  EXPECT_EQ(fresh.TryTake(), 0ns);
  EXPECT_GT(fresh.TryTake(), 0ns) << "one token, not a full bucket of 4";
}

TEST(TokenBucket, ANewRateKeepsTheTokensSavedUpToTheNewBurst) {
  FakeClock clock;
  TokenBucket bucket(2.0, 4.0, clock);
  bucket.SetRate(0.5, 1.0);
  EXPECT_EQ(bucket.TryTake(), 0ns);
  const auto wait = bucket.TryTake();
  EXPECT_GT(wait, 1999ms) << "the new rate, and no more than the new burst saved";
  EXPECT_LE(wait, 2001ms);
}

TEST(TokenBucket, NeverSavesMoreThanTheBurst) {
  FakeClock clock;
  TokenBucket bucket(10.0, 2.0, clock);
  clock.Advance(1h);
  EXPECT_EQ(bucket.TryTake(), 0ns);
  EXPECT_EQ(bucket.TryTake(), 0ns);
  EXPECT_GT(bucket.TryTake(), 0ns);
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresAndHalfOpensAfterCoolDown) {
  FakeClock clock;
  CircuitBreaker breaker(3, 60s, clock);
  breaker.OnFailure();
  breaker.OnFailure();
  breaker.OnSuccess();  // a success resets the count: failures must be consecutive
  breaker.OnFailure();
  breaker.OnFailure();
  EXPECT_EQ(breaker.State(), BreakerState::kClosed);
  EXPECT_TRUE(breaker.Allow());
  breaker.OnFailure();
  EXPECT_EQ(breaker.State(), BreakerState::kOpen);
  EXPECT_FALSE(breaker.Allow());
  clock.Advance(59s);
  EXPECT_FALSE(breaker.Allow());
  clock.Advance(1s);
  EXPECT_EQ(breaker.State(), BreakerState::kHalfOpen);
  EXPECT_TRUE(breaker.Allow());   // the one probe
  EXPECT_FALSE(breaker.Allow());  // others wait for its verdict
  breaker.OnSuccess();
  EXPECT_EQ(breaker.State(), BreakerState::kClosed);
  EXPECT_TRUE(breaker.Allow());
}

TEST(CircuitBreaker, FailedProbeReopensForAnotherCoolDown) {
  FakeClock clock;
  CircuitBreaker breaker(1, 10s, clock);
  breaker.OnFailure();
  EXPECT_EQ(breaker.State(), BreakerState::kOpen);
  clock.Advance(10s);
  ASSERT_TRUE(breaker.Allow());
  breaker.OnFailure();
  EXPECT_EQ(breaker.State(), BreakerState::kOpen);
  clock.Advance(9s);
  EXPECT_FALSE(breaker.Allow());
  clock.Advance(1s);
  EXPECT_TRUE(breaker.Allow());
}

TEST(Backoff, GrowsAndIsCapped) {
  Backoff backoff(100ms, 1s, 42);
  for (int i = 0; i < 20; ++i) {
    const auto delay = backoff.Next();
    EXPECT_GE(delay, 1ms);
    EXPECT_LE(delay, 1s);
  }
  EXPECT_EQ(backoff.attempt(), 20);
  backoff.Reset();
  EXPECT_LE(backoff.Next(), 100ms);
}

}  // namespace
}  // namespace tributary::fetcher
