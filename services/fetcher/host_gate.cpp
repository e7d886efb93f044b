#include "services/fetcher/host_gate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tributary::fetcher {
namespace {

namespace net = boost::asio;

// A fleet fetching thousands of sources meets hosts it will not see again for hours: their
// entries go once idle this long with nothing worth remembering, checked at most once a minute.
constexpr std::chrono::minutes kForgetIdleAfter{10};

// Adaptive slow-down (AIMD, as TCP backs off): a 429 or 503 halves a host's rate, a response
// kSlowResponse times slower than the host's usual (and over kSlowFloor) takes a quarter off,
// each normal response gives back kRecoverStep of its limit; never below kMinSlowdown.
constexpr double kMinSlowdown = 1.0 / 32;
constexpr double kRecoverStep = 1.0 / 16;
constexpr double kSlowResponse = 4.0;
constexpr double kSlowFloor = 0.25;  // seconds: a host answering in 50 ms is not slow at 200 ms
constexpr int kLatencyWarmUp = 5;    // responses before "usual" means anything
constexpr double kLatencyWeight = 0.2;

net::awaitable<void> Sleep(net::any_io_executor executor, std::chrono::nanoseconds duration) {
  net::steady_timer timer(executor);
  timer.expires_after(duration);
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

}  // namespace

HostGate::Permit::Permit(Permit&& other) noexcept
    : gate_(std::exchange(other.gate_, nullptr)), host_(std::move(other.host_)) {}

HostGate::Permit& HostGate::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    if (gate_ != nullptr) gate_->Release(host_);
    gate_ = std::exchange(other.gate_, nullptr);
    host_ = std::move(other.host_);
  }
  return *this;
}

HostGate::Permit::~Permit() {
  if (gate_ != nullptr) gate_->Release(host_);
}

HostGate::HostGate(net::any_io_executor executor, GateSettings settings, const Clock& clock)
    : executor_(std::move(executor)),
      settings_(std::move(settings)),
      limits_({.rate = settings_.rate,
               .concurrency = settings_.max_concurrency,
               .burst = settings_.burst},
              settings_.host_limits),
      clock_(clock) {}

HostGate::Host& HostGate::Get(const std::string& host) {
  auto& entry = hosts_[host];
  if (!entry) entry = std::make_unique<Host>(limits_.For(host), settings_, clock_);
  return *entry;
}

void HostGate::ApplyRate(Host& h) {
  double rate = h.limit.rate;
  if (h.crawl_delay_rate > 0) rate = std::min(rate, h.crawl_delay_rate);
  const bool plain = h.crawl_delay_rate == 0 && h.slowdown >= 1.0;
  h.bucket.SetRate(rate * h.slowdown, plain ? h.limit.burst : 1.0);
}

void HostGate::Adapt(Host& h, const Verdict& verdict) {
  const double before = h.slowdown;
  if (verdict.status == 429 || verdict.status == 503) {
    h.slowdown = std::max(kMinSlowdown, h.slowdown / 2);
  } else if (verdict.status > 0 && verdict.status < 500) {
    const double seconds = std::chrono::duration<double>(verdict.latency).count();
    const bool slow = h.latency_samples >= kLatencyWarmUp && seconds > kSlowFloor &&
                      seconds > kSlowResponse * h.latency_ewma;
    h.slowdown = slow ? std::max(kMinSlowdown, h.slowdown * 0.75)
                      : std::min(1.0, h.slowdown + kRecoverStep);
    // Slow responses teach the usual too: a host that stays slow is, after a while, usual.
    h.latency_ewma = h.latency_samples == 0
                         ? seconds
                         : (1 - kLatencyWeight) * h.latency_ewma + kLatencyWeight * seconds;
    ++h.latency_samples;
  }
  if (h.slowdown != before) ApplyRate(h);
}

void HostGate::SetCrawlDelay(const std::string& host, std::chrono::milliseconds delay) {
  auto& h = Get(host);
  const double rate = delay.count() > 0 ? 1000.0 / static_cast<double>(delay.count()) : 0.0;
  if (rate == h.crawl_delay_rate) return;
  h.crawl_delay_rate = rate;
  ApplyRate(h);
}

HostGate::Effective HostGate::EffectiveFor(const std::string& host) {
  const auto& h = Get(host);
  return {.rate = h.bucket.rate(),
          .burst = h.bucket.burst(),
          .concurrency = h.limit.concurrency,
          .slowdown = h.slowdown};
}

int HostGate::SlowedHostCount() const {
  return static_cast<int>(std::count_if(hosts_.begin(), hosts_.end(), [](const auto& entry) {
    return entry.second->slowdown < 1.0;
  }));
}

net::awaitable<Result<HostGate::Permit>> HostGate::Acquire(
    const std::string& host, std::chrono::steady_clock::time_point deadline) {
  ForgetIdleHosts(clock_.Now());
  // Re-read the host's state after every wait: other fetches changed it meanwhile (and an entry
  // may have been forgotten and made afresh, so no reference is kept across a wait).
  while (true) {
    auto& h = Get(host);
    const auto now = clock_.Now();
    if (h.delayed_until > now) {
      if (h.delayed_until > deadline) {
        co_return Fail(ErrorKind::kPermanent, "host_backoff",
                       fmt::format("{} asked us to wait (Retry-After) {} s more", host,
                                   std::chrono::duration_cast<std::chrono::seconds>(
                                       h.delayed_until - now).count()));
      }
      co_await Sleep(executor_, h.delayed_until - now);
      continue;
    }
    if (h.active >= h.limit.concurrency) {
      auto timer = std::make_shared<net::steady_timer>(executor_);
      timer->expires_at(deadline);
      h.waiters.push_back(timer);
      auto [ec] = co_await timer->async_wait(net::as_tuple(net::use_awaitable));
      if (!ec) {  // the deadline passed without a free slot
        auto& waiters = Get(host).waiters;
        waiters.erase(std::remove(waiters.begin(), waiters.end(), timer), waiters.end());
        // A permit returned just as the deadline fired woke us, not the next waiter: pass it on.
        if (Get(host).active < Get(host).limit.concurrency && !waiters.empty()) {
          auto next = std::move(waiters.front());
          waiters.pop_front();
          next->cancel();
        }
        co_return Fail(ErrorKind::kPermanent, "timeout",
                       fmt::format("no free slot for {} before the deadline ({} in flight)", host,
                                   Get(host).limit.concurrency));
      }
      continue;  // woken by a returned permit
    }
    if (const auto wait = h.bucket.TryTake(); wait.count() > 0) {
      if (now + wait > deadline) {
        co_return Fail(ErrorKind::kPermanent, "timeout",
                       fmt::format("the rate limit for {} leaves no turn before the deadline",
                                   host));
      }
      co_await Sleep(executor_, wait);
      continue;
    }
    if (!h.breaker.Allow()) {
      co_return Fail(ErrorKind::kPermanent, "circuit_open",
                     fmt::format("{} failed {} times in a row; not asking again until the "
                                 "breaker half-opens",
                                 host, h.breaker.consecutive_failures()));
    }
    ++h.active;
    h.last_used = now;
    co_return Permit(this, host);
  }
}

void HostGate::Release(const std::string& host) {
  if (closed_) return;
  auto& h = Get(host);
  --h.active;
  if (!h.waiters.empty()) {
    auto next = std::move(h.waiters.front());
    h.waiters.pop_front();
    next->cancel();  // operation_aborted means "your turn" to the waiter
  }
}

void HostGate::Report(const std::string& host, const Verdict& verdict) {
  auto& h = Get(host);
  h.last_used = clock_.Now();
  if (verdict.failure) {
    h.breaker.OnFailure();
  } else {
    h.breaker.OnSuccess();
  }
  if (verdict.retry_after) {
    const auto delay =
        std::min<std::chrono::nanoseconds>(*verdict.retry_after, settings_.max_retry_after);
    h.delayed_until = std::max(h.delayed_until, clock_.Now() + delay);
  }
  Adapt(h, verdict);
}

void HostGate::ForgetIdleHosts(Clock::TimePoint now) {
  if (!forget_check_.Due(now)) return;
  // Kept: anything in use or waited for, a Retry-After still running, a breaker not closed, and
  // a rate bucket not yet full again (used within the refill time, always under the idle span).
  const auto refill = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::duration<double>(settings_.burst / settings_.rate));
  const auto idle_span = std::max<Clock::TimePoint::duration>(kForgetIdleAfter, refill);
  std::erase_if(hosts_, [&](const auto& entry) {
    const Host& h = *entry.second;
    // A slowed-down host is kept too: forgetting it would bring it back at full speed.
    return h.active == 0 && h.waiters.empty() && h.delayed_until <= now &&
           h.breaker.State() == BreakerState::kClosed && h.slowdown >= 1.0 &&
           now - h.last_used >= idle_span;
  });
}

void HostGate::Close() {
  closed_ = true;
  for (auto& [host, h] : hosts_) h->waiters.clear();
}

std::map<BreakerState, int> HostGate::BreakerCounts() const {
  std::map<BreakerState, int> counts{
      {BreakerState::kClosed, 0}, {BreakerState::kOpen, 0}, {BreakerState::kHalfOpen, 0}};
  for (const auto& [host, h] : hosts_) ++counts[h->breaker.State()];
  return counts;
}

}  // namespace tributary::fetcher
