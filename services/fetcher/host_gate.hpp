#pragma once
// Per-host politeness in front of every request (DESIGN §6): at most N requests in flight to one
// origin, a token-bucket request rate, a circuit breaker, and the delay a Retry-After asked for.
// Fetches wait their turn (never past their own deadline) instead of being turned away, except
// when the breaker is open or the host asked us to stay away beyond the deadline.
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
#include "services/fetcher/politeness.hpp"

namespace tributary::fetcher {

struct GateSettings {
  int max_concurrency = 4;  // per origin
  double rate = 2.0;        // requests per second per origin
  double burst = 4.0;
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
  // delays every later request to the host.
  void Report(const std::string& host, bool failure,
              std::optional<std::chrono::seconds> retry_after);

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
    Host(const GateSettings& settings, const Clock& clock)
        : bucket(settings.rate, settings.burst, clock),
          breaker(settings.breaker_failures, settings.breaker_cool_down, clock) {}
    int active = 0;
    TokenBucket bucket;
    CircuitBreaker breaker;
    Clock::TimePoint delayed_until{};
    Clock::TimePoint last_used{};
    std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters;
  };

  Host& Get(const std::string& host);
  void Release(const std::string& host);
  void ForgetIdleHosts(Clock::TimePoint now);

  boost::asio::any_io_executor executor_;
  GateSettings settings_;
  const Clock& clock_;
  bool closed_ = false;
  AtMostEvery forget_check_{std::chrono::minutes(1)};
  std::unordered_map<std::string, std::unique_ptr<Host>> hosts_;
};

}  // namespace tributary::fetcher
