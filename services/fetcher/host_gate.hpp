#pragma once
// Per-host politeness in front of every request (DESIGN §6, issue 20), per politeness key (the
// URL's host, or its registrable domain under --politeness-scope domain: the unit fetch.requests
// is partitioned by, so one fetcher replica owns a key): at most N requests in flight, a
// token-bucket request rate (below one per second too), a circuit breaker, and the delay a
// Retry-After asked for. The rate and N come from the defaults or a --host-limit pattern; the
// rate is lowered further by robots.txt's Crawl-delay and adaptively: a 429 or 503 halves it
// (down to 1/32), a response far slower than the host's usual takes a quarter off, and each
// normal response gives back 1/16 of the limit. A host the gate has no state for (new, or just
// assigned to this replica by a rebalance) starts with one token, not a full bucket, so taking
// over a host never bursts; a host under an override, a Crawl-delay or a slow-down gets no
// burst at all. Fetches wait their turn (never past their own deadline) instead of being turned
// away, except when the breaker is open or the host asked us to stay away beyond the deadline.
// Single-threaded: only coroutines on the fetch io thread call it.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/base/at_most_every.hpp"
#include "common/base/clock.hpp"
#include "common/base/result.hpp"
#include "services/fetcher/host_limits.hpp"
#include "services/fetcher/politeness.hpp"

namespace tributary::fetcher {

struct GateSettings {
  int max_concurrency = 4;  // per host (politeness key), unless a host limit says otherwise
  double rate = 2.0;        // requests per second per host, likewise
  double burst = 4.0;       // for hosts at the default limit
  std::vector<HostLimitRule> host_limits;  // --host-limit
  int breaker_failures = 5;
  std::chrono::milliseconds breaker_cool_down{std::chrono::seconds(60)};
  std::chrono::milliseconds max_retry_after{std::chrono::hours(1)};
};

class HostGate {
 public:
  // A slot to one host; returning it (destruction) lets the next waiter in.
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept;
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit();

   private:
    friend class HostGate;
    Permit(HostGate* gate, std::string host) : gate_(gate), host_(std::move(host)) {}
    HostGate* gate_ = nullptr;
    std::string host_;
  };

  HostGate(boost::asio::any_io_executor executor, GateSettings settings,
           const Clock& clock = SteadyClock::Instance());

  // Waits for a slot. Errors (kPermanent): "circuit_open", "host_backoff" (a Retry-After reaches
  // past the deadline), "timeout" (no slot before the deadline).
  boost::asio::awaitable<Result<Permit>> Acquire(const std::string& host,
                                                 std::chrono::steady_clock::time_point deadline);

  // The verdict on a request made under a permit: failures feed the breaker; a Retry-After
  // delays every later request to the host; the status and latency adapt its rate.
  struct Verdict {
    bool failure = false;  // network error, 5xx, 429: feeds the breaker
    int status = 0;        // 0 when no response came
    std::optional<std::chrono::seconds> retry_after;
    std::chrono::nanoseconds latency{0};
  };
  void Report(const std::string& host, const Verdict& verdict);

  // robots.txt's Crawl-delay for the host (already capped by the caller); zero clears it.
  void SetCrawlDelay(const std::string& host, std::chrono::milliseconds delay);

  // What the gate applies to `host` now (for tests, logs and metrics).
  struct Effective {
    double rate = 0;  // requests per second
    double burst = 0;
    int concurrency = 0;
    double slowdown = 1;  // the adaptive factor: 1 at full speed
  };
  [[nodiscard]] Effective EffectiveFor(const std::string& host);

  // Hosts whose adaptive factor is below 1 (the slowed-down hosts gauge).
  [[nodiscard]] int SlowedHostCount() const;

  // Hosts the gate holds state for: idle ones are forgotten (see ForgetIdleHosts).
  [[nodiscard]] std::size_t HostCount() const { return hosts_.size(); }

  // How many hosts' breakers are in each state (the per-host breaker gauge).
  [[nodiscard]] std::map<BreakerState, int> BreakerCounts() const;

  // Shutdown, before the io_context goes: permits returned from now on wake nobody (their
  // waiters are being destroyed), and the gate lets go of the waiters' timers, which must not
  // outlive the io_context they belong to.
  void Close();

 private:
  struct Host {
    Host(const HostLimit& host_limit, const GateSettings& settings, const Clock& clock)
        : limit(host_limit),
          bucket(host_limit.rate, host_limit.burst, clock, /*initial=*/1.0),
          breaker(settings.breaker_failures, settings.breaker_cool_down, clock) {}
    HostLimit limit;              // from the defaults or a --host-limit pattern
    double crawl_delay_rate = 0;  // 1 / Crawl-delay; 0: none
    double slowdown = 1.0;        // adaptive factor in [1/32, 1]
    double latency_ewma = 0;      // seconds, over normal responses
    int latency_samples = 0;
    int active = 0;
    TokenBucket bucket;
    CircuitBreaker breaker;
    Clock::TimePoint delayed_until{};
    Clock::TimePoint last_used{};
    std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters;
  };

  Host& Get(const std::string& host);
  void Release(const std::string& host);
  void Adapt(Host& h, const Verdict& verdict);
  void ApplyRate(Host& h);
  void ForgetIdleHosts(Clock::TimePoint now);

  boost::asio::any_io_executor executor_;
  GateSettings settings_;
  HostLimits limits_;
  const Clock& clock_;
  bool closed_ = false;
  AtMostEvery forget_check_{std::chrono::minutes(1)};
  std::unordered_map<std::string, std::unique_ptr<Host>> hosts_;
};

}  // namespace tributary::fetcher
