// The host gate's memory: with thousands of sources it meets hosts it will not see again for
// hours, so idle entries go, but never one whose state still matters. Fake clock, no network.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "common/base/testing/fake_clock.hpp"
#include "services/fetcher/host_gate.hpp"

namespace tributary::fetcher {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using tributary::testing::FakeClock;

// One request to `host` through the gate, reported as `failure` (with `retry_after`).
void Request(net::io_context& io, HostGate& gate, const FakeClock& clock, const std::string& host,
             bool failure = false, std::optional<std::chrono::seconds> retry_after = {}) {
  bool granted = false;
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        auto permit = co_await gate.Acquire(host, clock.Now() + 1h);
        if (!permit) co_return;
        granted = true;
        gate.Report(host, {.failure = failure, .retry_after = retry_after});
      },
      net::detached);
  io.restart();
  io.run();
  ASSERT_TRUE(granted) << host;
}

TEST(HostGate, ForgetsIdleHostsButNotOnesWithStateToKeep) {
  FakeClock clock;
  net::io_context io;
  GateSettings settings;
  settings.breaker_failures = 1;
  settings.breaker_cool_down = 1h;
  HostGate gate(io.get_executor(), settings, clock);

  Request(io, gate, clock, "https://quiet.example:443");
  Request(io, gate, clock, "https://broken.example:443", /*failure=*/true);
  Request(io, gate, clock, "https://busy.example:443", false, std::chrono::seconds(2h));
  EXPECT_EQ(gate.HostCount(), 3U);

  clock.Advance(11min);
  Request(io, gate, clock, "https://new.example:443");
  // quiet is forgotten; broken's breaker is open and busy asked us to stay away for two hours.
  EXPECT_EQ(gate.HostCount(), 3U);
  EXPECT_EQ(gate.BreakerCounts()[BreakerState::kOpen], 1);

  clock.Advance(2h);
  Request(io, gate, clock, "https://another.example:443");
  // broken's cool-down passed (half-open: it still owes a probe); busy and new are idle.
  EXPECT_EQ(gate.HostCount(), 2U);
  EXPECT_EQ(gate.BreakerCounts()[BreakerState::kHalfOpen], 1);
}

// Whether a request to `host` is let in at once (a deadline too close for any wait).
bool LetInAtOnce(net::io_context& io, HostGate& gate, const FakeClock& clock,
                 const std::string& host) {
  bool granted = false;
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        auto permit = co_await gate.Acquire(host, clock.Now() + 10ms);
        granted = permit.has_value();
      },
      net::detached);
  io.restart();
  io.run();
  return granted;
}

TEST(HostGate, AHostNewToTheReplicaStartsWithOneTokenNotAFullBucket) {
  // After a rebalance a replica meets hosts another one was pacing: a full bucket would send
  // them a burst on top of the other replica's last requests.
  FakeClock clock;
  net::io_context io;
  HostGate gate(io.get_executor(), GateSettings{.rate = 2, .burst = 4}, clock);
  EXPECT_TRUE(LetInAtOnce(io, gate, clock, "new.example"));
  EXPECT_FALSE(LetInAtOnce(io, gate, clock, "new.example"));
  clock.Advance(500ms);
  EXPECT_TRUE(LetInAtOnce(io, gate, clock, "new.example"));
  clock.Advance(10s);  // idle: the default burst builds up again
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(LetInAtOnce(io, gate, clock, "new.example")) << i;
  EXPECT_FALSE(LetInAtOnce(io, gate, clock, "new.example"));
}

TEST(HostGate, HostLimitsOverrideByPatternWithoutBurst) {
  FakeClock clock;
  net::io_context io;
  GateSettings settings{.max_concurrency = 4, .rate = 2, .burst = 4};
  settings.host_limits = *ParseHostLimits("example.com=0.5/s,1");
  HostGate gate(io.get_executor(), settings, clock);
  const auto slow = gate.EffectiveFor("news.example.com");
  EXPECT_DOUBLE_EQ(slow.rate, 0.5);
  EXPECT_DOUBLE_EQ(slow.burst, 1);
  EXPECT_EQ(slow.concurrency, 1);
  const auto other = gate.EffectiveFor("example.org");
  EXPECT_DOUBLE_EQ(other.rate, 2);
  EXPECT_DOUBLE_EQ(other.burst, 4);
  EXPECT_EQ(other.concurrency, 4);
  clock.Advance(1h);
  EXPECT_TRUE(LetInAtOnce(io, gate, clock, "news.example.com"));
  EXPECT_FALSE(LetInAtOnce(io, gate, clock, "news.example.com")) << "idle an hour: still 1";
  clock.Advance(2s);
  EXPECT_TRUE(LetInAtOnce(io, gate, clock, "news.example.com"));
}

TEST(HostGate, CrawlDelayLowersTheRateAndClearingItRestoresIt) {
  FakeClock clock;
  net::io_context io;
  HostGate gate(io.get_executor(), GateSettings{.rate = 2, .burst = 4}, clock);
  gate.SetCrawlDelay("polite.example", 10s);
  EXPECT_DOUBLE_EQ(gate.EffectiveFor("polite.example").rate, 0.1);
  EXPECT_DOUBLE_EQ(gate.EffectiveFor("polite.example").burst, 1);
  gate.SetCrawlDelay("polite.example", 100ms);  // asks for more than our limit: ours holds
  EXPECT_DOUBLE_EQ(gate.EffectiveFor("polite.example").rate, 2);
  gate.SetCrawlDelay("polite.example", 0ms);
  EXPECT_DOUBLE_EQ(gate.EffectiveFor("polite.example").rate, 2);
  EXPECT_DOUBLE_EQ(gate.EffectiveFor("polite.example").burst, 4);
}

TEST(HostGate, TooManyRequestsHalvesTheRateAndNormalAnswersGiveItBack) {
  FakeClock clock;
  net::io_context io;
  HostGate gate(io.get_executor(), GateSettings{.rate = 2, .burst = 4}, clock);
  const std::string host = "busy.example";
  gate.Report(host, {.failure = true, .status = 429});
  EXPECT_DOUBLE_EQ(gate.EffectiveFor(host).rate, 1);
  EXPECT_DOUBLE_EQ(gate.EffectiveFor(host).burst, 1);
  gate.Report(host, {.failure = true, .status = 503});
  EXPECT_DOUBLE_EQ(gate.EffectiveFor(host).rate, 0.5);
  EXPECT_EQ(gate.SlowedHostCount(), 1);
  for (int i = 0; i < 10; ++i) gate.Report(host, {.failure = true, .status = 429});
  EXPECT_DOUBLE_EQ(gate.EffectiveFor(host).rate, 2.0 / 32) << "floored at 1/32";
  for (int i = 0; i < 8; ++i) gate.Report(host, {.status = 200, .latency = 50ms});
  EXPECT_DOUBLE_EQ(gate.EffectiveFor(host).slowdown, 1.0 / 32 + 0.5);
  for (int i = 0; i < 8; ++i) gate.Report(host, {.status = 304, .latency = 50ms});
  EXPECT_DOUBLE_EQ(gate.EffectiveFor(host).rate, 2) << "back to the limit";
  EXPECT_DOUBLE_EQ(gate.EffectiveFor(host).burst, 4);
  EXPECT_EQ(gate.SlowedHostCount(), 0);
  gate.Report(host, {.failure = true, .status = 500});
  EXPECT_DOUBLE_EQ(gate.EffectiveFor(host).rate, 2) << "a 500 is the breaker's business";
}

TEST(HostGate, AnswersFarSlowerThanTheHostsUsualSlowItDown) {
  FakeClock clock;
  net::io_context io;
  HostGate gate(io.get_executor(), GateSettings{.rate = 2, .burst = 4}, clock);
  const std::string host = "sluggish.example";
  for (int i = 0; i < 5; ++i) gate.Report(host, {.status = 200, .latency = 80ms});
  gate.Report(host, {.status = 200, .latency = 200ms});
  EXPECT_DOUBLE_EQ(gate.EffectiveFor(host).slowdown, 1) << "slower, but under 0.25 s";
  gate.Report(host, {.status = 200, .latency = 2s});
  EXPECT_DOUBLE_EQ(gate.EffectiveFor(host).slowdown, 0.75);
  EXPECT_DOUBLE_EQ(gate.EffectiveFor(host).rate, 1.5);
  // A slowed-down host is remembered while idle: forgetting it would restore full speed.
  clock.Advance(1h);
  LetInAtOnce(io, gate, clock, "other.example");  // the idle sweep runs on Acquire
  EXPECT_EQ(gate.HostCount(), 2U);
}

TEST(HostGate, RecentlyUsedHostsStay) {
  FakeClock clock;
  net::io_context io;
  HostGate gate(io.get_executor(), GateSettings{}, clock);
  Request(io, gate, clock, "https://a.example:443");
  clock.Advance(9min);
  Request(io, gate, clock, "https://b.example:443");
  EXPECT_EQ(gate.HostCount(), 2U);
}

}  // namespace
}  // namespace tributary::fetcher
