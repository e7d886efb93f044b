#include "services/scheduler/schedule_policy.hpp"

#include <gtest/gtest.h>

namespace tributary::scheduler {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kNow{Seconds(1'800'000'000)};
const PolicySettings kSettings{};
constexpr double kNoJitter = 0.5;

NextFetch Next(const SourceTiming& source, double random = kNoJitter) {
  return NextFetchAt(source, kNow, kSettings, random);
}

TEST(SchedulePolicy, AHealthySourceWaitsItsInterval) {
  const auto next = Next({.interval = minutes(30)});
  EXPECT_EQ(next.at, kNow + minutes(30));
  EXPECT_EQ(next.reason, "interval");
}

TEST(SchedulePolicy, JitterStaysWithinTheConfiguredFraction) {
  EXPECT_EQ(Next({.interval = minutes(30)}, 0.0).at, kNow + minutes(27));
  EXPECT_EQ(Next({.interval = minutes(30)}, 1.0).at, kNow + minutes(33));
  EXPECT_EQ(Next({.interval = minutes(30)}, 0.75).at, kNow + Seconds(1890));
}

TEST(SchedulePolicy, FailuresBackOffExponentiallyUpToTheCap) {
  const std::pair<int, Seconds> expected[] = {
      {1, minutes(20)}, {2, minutes(40)}, {3, minutes(80)}, {5, minutes(320)},
      {6, hours(6)},    {40, hours(6)}};
  for (const auto& [failures, delay] : expected) {
    const auto next = Next({.interval = minutes(10), .consecutive_failures = failures});
    EXPECT_EQ(next.at, kNow + delay) << failures << " failures";
    EXPECT_EQ(next.reason, "backoff");
  }
}

TEST(SchedulePolicy, AnIntervalLongerThanTheBackoffCapIsTheCap) {
  const auto next = Next({.interval = hours(12), .consecutive_failures = 3});
  EXPECT_EQ(next.at, kNow + hours(12));
}

TEST(SchedulePolicy, RetryAfterWinsOverEverythingEarlier) {
  const auto next = Next({.interval = minutes(10), .consecutive_failures = 1,
                          .retry_after_until = kNow + hours(2)});
  EXPECT_EQ(next.at, kNow + hours(2));
  EXPECT_EQ(next.reason, "retry-after");
  // ... and is ignored when it is already past the computed time.
  EXPECT_EQ(Next({.interval = minutes(10), .retry_after_until = kNow + minutes(5)}).at,
            kNow + minutes(10));
}

TEST(SchedulePolicy, MaxAgeDelaysTheNextFetchButNotBeyondTheMaximum) {
  auto next = Next({.interval = minutes(10), .server_max_age = hours(1)});
  EXPECT_EQ(next.at, kNow + hours(1));
  EXPECT_EQ(next.reason, "max-age");
  next = Next({.interval = minutes(10), .server_max_age = hours(100)});
  EXPECT_EQ(next.at, kNow + hours(24));
  // A max-age shorter than the interval changes nothing.
  EXPECT_EQ(Next({.interval = minutes(10), .server_max_age = minutes(1)}).at, kNow + minutes(10));
}

TEST(SchedulePolicy, BusySourcesAreFetchedMoreOftenQuietOnesLess) {
  auto next = Next({.interval = hours(1), .items_last_seen_at = kNow - minutes(20)});
  EXPECT_EQ(next.at, kNow + minutes(30));
  EXPECT_EQ(next.reason, "busy");
  next = Next({.interval = hours(1), .items_last_seen_at = kNow - hours(4)});
  EXPECT_EQ(next.at, kNow + hours(1)) << "a few intervals without news is normal";
  next = Next({.interval = hours(1), .items_last_seen_at = kNow - hours(9)});
  EXPECT_EQ(next.at, kNow + hours(2));
  EXPECT_EQ(next.reason, "quiet");
  EXPECT_EQ(Next({.interval = hours(1), .items_last_seen_at = kNow - hours(33)}).at,
            kNow + hours(4));
}

TEST(SchedulePolicy, AdaptedIntervalsStayWithinTheBounds) {
  // Busy would halve 90 s to 45 s, below the 60 s minimum.
  EXPECT_EQ(Next({.interval = Seconds(90), .items_last_seen_at = kNow}).at, kNow + Seconds(60));
  // Quiet would make 12 h into 48 h, above the 24 h maximum.
  EXPECT_EQ(Next({.interval = hours(12), .items_last_seen_at = kNow - hours(24 * 30)}).at,
            kNow + hours(24));
  // A source configured below the minimum keeps its own interval.
  EXPECT_EQ(Next({.interval = Seconds(20)}).at, kNow + Seconds(20));
}

}  // namespace
}  // namespace tributary::scheduler
