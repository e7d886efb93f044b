// Keep-alive bookkeeping with a fake clock: reuse the newest, never a connection past the idle
// timeout, and close idle ones to hosts that are not fetched again. No sockets are opened.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "common/base/testing/fake_clock.hpp"
#include "services/fetcher/connection_pool.hpp"

namespace tributary::fetcher {
namespace {

using namespace std::chrono_literals;
using tributary::testing::FakeClock;

std::unique_ptr<Connection> Idle(boost::asio::io_context& io, const std::string& origin) {
  auto connection = std::make_unique<Connection>(io.get_executor(), nullptr);
  connection->origin = origin;
  return connection;
}

TEST(ConnectionPool, ReusesTheNewestAndNeverOnePastTheIdleTimeout) {
  boost::asio::io_context io;
  FakeClock clock;
  ConnectionPool pool(8, 100, 30s, clock);
  pool.Give(Idle(io, "http://a:80"));
  clock.Advance(20s);
  auto newer = Idle(io, "http://a:80");
  auto* newer_address = newer.get();
  pool.Give(std::move(newer));
  EXPECT_EQ(pool.Take("http://a:80").get(), newer_address);
  clock.Advance(15s);  // the older one has now been idle 35 s
  EXPECT_EQ(pool.Take("http://a:80"), nullptr);
  EXPECT_EQ(pool.IdleCount(), 0U);
}

TEST(ConnectionPool, ClosesIdleConnectionsOfHostsNotFetchedAgain) {
  boost::asio::io_context io;
  FakeClock clock;
  ConnectionPool pool(8, 100, 30s, clock);
  pool.Give(Idle(io, "http://once:80"));
  pool.Give(Idle(io, "http://twice:80"));
  EXPECT_EQ(pool.IdleCount(), 2U);
  clock.Advance(2min);
  pool.Give(Idle(io, "http://busy:80"));  // a Give now and then sweeps the expired ones
  EXPECT_EQ(pool.IdleCount(), 1U);
  EXPECT_NE(pool.Take("http://busy:80"), nullptr);
}

TEST(ConnectionPool, BoundedPerOriginAndInTotal) {
  boost::asio::io_context io;
  FakeClock clock;
  ConnectionPool pool(2, 3, 30s, clock);
  for (int i = 0; i < 3; ++i) pool.Give(Idle(io, "http://a:80"));
  EXPECT_EQ(pool.IdleCount(), 2U);  // the oldest went
  pool.Give(Idle(io, "http://b:80"));
  pool.Give(Idle(io, "http://c:80"));  // full: dropped
  EXPECT_EQ(pool.IdleCount(), 3U);
  EXPECT_EQ(pool.Take("http://c:80"), nullptr);
}

}  // namespace
}  // namespace tributary::fetcher
