#include "services/embedder/backend_gate.hpp"

#include <gtest/gtest.h>

#include <set>

#include "common/base/testing/fake_clock.hpp"

namespace tributary::embedder {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

BackendError Transient(std::optional<milliseconds> retry_after = std::nullopt) {
  return {.kind = BackendFailure::kTransient, .error_class = "backend.http_503", .status = 503,
          .retry_after = retry_after};
}

RetrySettings Settings() {
  return {.initial = 100ms, .max = 2s, .quota_retry = 60s, .max_retry_after = 5min};
}

TEST(BackendGate, IsOpenUntilAFailure) {
  tributary::testing::FakeClock clock;
  BackendGate gate(Settings(), clock, 1);
  EXPECT_EQ(gate.Delay(), 0ms);
  EXPECT_FALSE(gate.paused());
}

TEST(BackendGate, BacksOffExponentiallyWithJitterUpToTheCap) {
  tributary::testing::FakeClock clock;
  BackendGate gate(Settings(), clock, 7);
  for (int attempt = 0; attempt < 12; ++attempt) {
    const auto delay = gate.OnFailure(Transient());
    const auto ceiling = std::min<milliseconds>(2s, 100ms * (1LL << attempt));
    EXPECT_GE(delay, 1ms) << attempt;
    EXPECT_LE(delay, ceiling) << attempt;
    EXPECT_EQ(gate.Delay(), delay);
    EXPECT_TRUE(gate.paused());
    clock.Advance(delay);
    EXPECT_EQ(gate.Delay(), 0ms) << "the gate opens once the delay has passed";
  }
}

TEST(BackendGate, JitterSpreadsTheDelays) {
  tributary::testing::FakeClock clock;
  std::set<milliseconds::rep> seen;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    BackendGate gate(Settings(), clock, seed);
    for (int i = 0; i < 5; ++i) (void)gate.OnFailure(Transient());  // ceiling 1.6 s by now
    seen.insert(gate.Delay().count());
  }
  EXPECT_GT(seen.size(), 10U);
}

TEST(BackendGate, HonoursRetryAfterWithAtMostTenPercentJitter) {
  tributary::testing::FakeClock clock;
  BackendGate gate(Settings(), clock, 3);
  const auto delay = gate.OnFailure(Transient(30s));
  EXPECT_GE(delay, 30s);
  EXPECT_LE(delay, 33s);
  clock.Advance(29s);
  EXPECT_GT(gate.Delay(), 0ms);
}

TEST(BackendGate, CapsAnAbsurdRetryAfter) {
  tributary::testing::FakeClock clock;
  BackendGate gate(Settings(), clock, 3);
  EXPECT_LE(gate.OnFailure(Transient(std::chrono::hours(48))), 5min + 30s);
}

TEST(BackendGate, QuotaExhaustionWaitsTheQuotaInterval) {
  tributary::testing::FakeClock clock;
  BackendGate gate(Settings(), clock, 3);
  const auto delay =
      gate.OnFailure({.kind = BackendFailure::kQuota, .error_class = "backend.quota", .status = 429});
  EXPECT_EQ(delay, 60s);
  EXPECT_TRUE(gate.quota_exhausted());
  EXPECT_TRUE(gate.paused());
}

TEST(BackendGate, AFailureNeverPullsTheGateBackIn) {
  tributary::testing::FakeClock clock;
  BackendGate gate(Settings(), clock, 3);
  (void)gate.OnFailure(Transient(10s));
  // A second worker's failure with a short backoff keeps the longer wait.
  EXPECT_GE(gate.OnFailure(Transient()), 10s);
}

TEST(BackendGate, SuccessOpensTheGateAndRestartsTheBackoff) {
  tributary::testing::FakeClock clock;
  BackendGate gate(Settings(), clock, 5);
  for (int i = 0; i < 10; ++i) (void)gate.OnFailure(Transient());
  gate.OnSuccess();
  EXPECT_EQ(gate.Delay(), 0ms);
  EXPECT_FALSE(gate.paused());
  EXPECT_FALSE(gate.quota_exhausted());
  EXPECT_LE(gate.OnFailure(Transient()), 100ms) << "first step again";
}

}  // namespace
}  // namespace tributary::embedder
