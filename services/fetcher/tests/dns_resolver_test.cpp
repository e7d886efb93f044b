// The fetcher's resolver with lookups injected (a name that never answers, a failing one, a
// counted one) so concurrency, timeouts, sharing and the cache are tested without a DNS server.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <future>
#include <thread>

#include "services/fetcher/dns_resolver.hpp"

namespace tributary::fetcher {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

const auto kAddress = net::ip::make_address("192.0.2.7");

// Lookups that count their calls: one that blocks on a name until Release (or until this goes
// out of scope, which frees the detached lookup thread), one that takes a while.
struct Lookups {
  std::shared_ptr<std::promise<void>> gate = std::make_shared<std::promise<void>>();
  std::shared_future<void> released = gate->get_future().share();
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);

  void Release() const { gate->set_value(); }
  LookupFunction Stuck(std::string stuck_host) const {
    return [released = released, calls = calls, stuck_host](const std::string& host) {
      ++*calls;
      if (host == stuck_host) released.wait();
      return Result<Addresses>(Addresses{kAddress});
    };
  }
  LookupFunction Slow(std::chrono::milliseconds delay) const {
    return [calls = calls, delay](const std::string&) {
      ++*calls;
      std::this_thread::sleep_for(delay);
      return Result<Addresses>(Addresses{kAddress});
    };
  }
};

DnsSettings Settings(int threads, std::chrono::milliseconds timeout,
                     std::chrono::milliseconds cache_ttl = 60s) {
  return {.threads = threads, .timeout = timeout, .cache_ttl = cache_ttl};
}

// Starts one Resolve per host on `io`, runs until all are answered, and returns the answers in
// the order they arrived.
std::vector<std::pair<std::string, Result<Addresses>>> ResolveAll(
    net::io_context& io, DnsResolver& resolver, const std::vector<std::string>& hosts,
    std::chrono::steady_clock::duration deadline_in = 1h) {
  std::vector<std::pair<std::string, Result<Addresses>>> answers;
  const auto deadline = std::chrono::steady_clock::now() + deadline_in;
  for (const auto& host : hosts) {
    net::co_spawn(
        io,
        [&resolver, &answers, host, deadline]() -> net::awaitable<void> {
          auto answer = co_await resolver.Resolve(host, deadline);
          answers.emplace_back(host, std::move(answer));
        },
        net::detached);
  }
  io.restart();
  io.run();
  return answers;
}

TEST(DnsResolver, AnUnansweredNameDoesNotHoldUpTheOthers) {
  net::io_context io;
  Lookups lookups;
  DnsResolver resolver(io.get_executor(), Settings(2, 300ms), lookups.Stuck("stuck.example"));

  const auto answers = ResolveAll(io, resolver, {"stuck.example", "fast.example"});
  lookups.Release();
  ASSERT_EQ(answers.size(), 2U);
  EXPECT_EQ(answers[0].first, "fast.example");
  ASSERT_TRUE(answers[0].second.has_value()) << answers[0].second.error().message;
  EXPECT_EQ(answers[0].second->front(), kAddress);
  EXPECT_EQ(answers[1].first, "stuck.example");
  ASSERT_FALSE(answers[1].second.has_value());
  EXPECT_EQ(answers[1].second.error().error_class, "dns");
  EXPECT_NE(answers[1].second.error().message.find("cannot resolve stuck.example: no answer"),
            std::string::npos)
      << answers[1].second.error().message;
}

TEST(DnsResolver, TheFetchDeadlineEndsTheWaitBeforeTheTimeout) {
  net::io_context io;
  Lookups lookups;  // never released: only the deadline can end this wait
  DnsResolver resolver(io.get_executor(), Settings(1, 1h), lookups.Stuck("stuck.example"));
  const auto answers = ResolveAll(io, resolver, {"stuck.example"}, 100ms);
  ASSERT_EQ(answers.size(), 1U);
  ASSERT_FALSE(answers[0].second.has_value());
  EXPECT_EQ(answers[0].second.error().error_class, "dns");
}

TEST(DnsResolver, ConcurrentFetchesOfANameShareOneLookupThenTheCache) {
  net::io_context io;
  Lookups lookups;
  DnsResolver resolver(io.get_executor(), Settings(4, 10s), lookups.Slow(50ms));
  const auto answers = ResolveAll(io, resolver, {"a.example", "a.example", "a.example"});
  ASSERT_EQ(answers.size(), 3U);
  for (const auto& [host, answer] : answers) EXPECT_TRUE(answer.has_value()) << host;
  EXPECT_EQ(lookups.calls->load(), 1);
  EXPECT_EQ(resolver.CachedCount(), 1U);

  const auto again = ResolveAll(io, resolver, {"a.example"});
  ASSERT_EQ(again.size(), 1U);
  EXPECT_TRUE(again[0].second.has_value());
  EXPECT_EQ(lookups.calls->load(), 1);  // from the cache
}

TEST(DnsResolver, WithoutACacheEveryFetchAsks) {
  net::io_context io;
  Lookups lookups;
  DnsResolver resolver(io.get_executor(), Settings(1, 10s, 0ms), lookups.Slow(0ms));
  EXPECT_TRUE(ResolveAll(io, resolver, {"a.example"})[0].second.has_value());
  EXPECT_TRUE(ResolveAll(io, resolver, {"a.example"})[0].second.has_value());
  EXPECT_EQ(lookups.calls->load(), 2);
  EXPECT_EQ(resolver.CachedCount(), 0U);
}

TEST(DnsResolver, AFailureIsReportedAndNotCached) {
  net::io_context io;
  auto calls = std::make_shared<std::atomic<int>>(0);
  DnsResolver resolver(io.get_executor(), Settings(1, 10s), [calls](const std::string& host) {
    if (++*calls == 1) {
      return Result<Addresses>(Fail(ErrorKind::kPermanent, "dns", "cannot resolve " + host));
    }
    return Result<Addresses>(Addresses{kAddress});
  });
  const auto first = ResolveAll(io, resolver, {"flaky.example"});
  ASSERT_FALSE(first[0].second.has_value());
  EXPECT_EQ(first[0].second.error().message, "cannot resolve flaky.example");
  EXPECT_TRUE(ResolveAll(io, resolver, {"flaky.example"})[0].second.has_value());
  EXPECT_EQ(calls->load(), 2);
}

TEST(DnsResolver, AfterCloseNothingIsLookedUp) {
  net::io_context io;
  Lookups lookups;
  DnsResolver resolver(io.get_executor(), Settings(1, 10s), lookups.Slow(0ms));
  resolver.Close();
  const auto answers = ResolveAll(io, resolver, {"a.example"});
  ASSERT_FALSE(answers[0].second.has_value());
  EXPECT_NE(answers[0].second.error().message.find("shutting down"), std::string::npos);
  EXPECT_EQ(lookups.calls->load(), 0);
}

TEST(SystemLookup, LocalhostFromTheHostsFile) {
  const auto addresses = SystemLookup("localhost");
  ASSERT_TRUE(addresses.has_value()) << addresses.error().message;
  for (const auto& address : *addresses) EXPECT_TRUE(address.is_loopback()) << address;
}

}  // namespace
}  // namespace tributary::fetcher
