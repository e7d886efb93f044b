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
        gate.Report(host, failure, retry_after);
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
