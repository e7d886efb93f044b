#pragma once
// Per-host politeness primitives, driven by an injectable Clock so tests never sleep:
//  - TokenBucket: a request rate with a burst;
//  - CircuitBreaker: stops hammering a host that keeps failing, probes it again after a
//    cool-down (closed -> open after N consecutive failures -> half-open -> closed on success).
#include <chrono>
#include <optional>
#include <string_view>

#include "common/base/clock.hpp"

namespace tributary::fetcher {

class TokenBucket {
 public:
  // `rate` tokens per second, at most `burst` saved up; starts with `initial` tokens (full
  // when unset).
  TokenBucket(double rate, double burst, const Clock& clock,
              std::optional<double> initial = std::nullopt);

  // Takes a token and returns zero, or returns how long until one is available (taking none).
  std::chrono::nanoseconds TryTake();

  // From now on: tokens saved so far are kept (up to the new burst).
  void SetRate(double rate, double burst);
  [[nodiscard]] double rate() const { return rate_; }
  [[nodiscard]] double burst() const { return burst_; }

 private:
  void Refill();
  double rate_;
  double burst_;
  double tokens_;
  const Clock& clock_;
  Clock::TimePoint last_;
};

enum class BreakerState { kClosed, kOpen, kHalfOpen };
std::string_view ToString(BreakerState state);

class CircuitBreaker {
 public:
  CircuitBreaker(int failure_threshold, std::chrono::nanoseconds cool_down, const Clock& clock);

  // May a request go now? Closed: yes. Open: no until the cool-down passed, then the breaker
  // half-opens and lets exactly one probe through; further requests wait for its verdict.
  bool Allow();
  void OnSuccess();
  void OnFailure();
  // The state as of now (an open breaker whose cool-down passed reports half-open).
  [[nodiscard]] BreakerState State() const;
  [[nodiscard]] int consecutive_failures() const { return failures_; }

 private:
  int threshold_;
  std::chrono::nanoseconds cool_down_;
  const Clock& clock_;
  BreakerState state_ = BreakerState::kClosed;
  int failures_ = 0;
  bool probe_in_flight_ = false;
  Clock::TimePoint opened_at_{};
};

}  // namespace tributary::fetcher
