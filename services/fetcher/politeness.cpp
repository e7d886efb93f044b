#include "services/fetcher/politeness.hpp"

#include <algorithm>

namespace tributary::fetcher {

TokenBucket::TokenBucket(double rate, double burst, const Clock& clock,
                         std::optional<double> initial)
    : rate_(rate),
      burst_(std::max(1.0, burst)),
      tokens_(std::min(burst_, initial.value_or(burst_))),
      clock_(clock),
      last_(clock.Now()) {}

void TokenBucket::SetRate(double rate, double burst) {
  Refill();
  rate_ = rate;
  burst_ = std::max(1.0, burst);
  tokens_ = std::min(tokens_, burst_);
}

void TokenBucket::Refill() {
  const auto now = clock_.Now();
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  if (elapsed > 0) {
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }
}

std::chrono::nanoseconds TokenBucket::TryTake() {
  Refill();
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return std::chrono::nanoseconds(0);
  }
  // Round up so a caller who waits exactly this long finds a whole token.
  const double seconds = (1.0 - tokens_) / rate_;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9) + 1);
}

std::string_view ToString(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed: return "closed";
    case BreakerState::kOpen: return "open";
    case BreakerState::kHalfOpen: return "half_open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(int failure_threshold, std::chrono::nanoseconds cool_down,
                               const Clock& clock)
    : threshold_(std::max(1, failure_threshold)), cool_down_(cool_down), clock_(clock) {}

bool CircuitBreaker::Allow() {
  switch (State()) {
    case BreakerState::kClosed:
      return true;
    case BreakerState::kOpen:
      return false;
    case BreakerState::kHalfOpen:
      state_ = BreakerState::kHalfOpen;
      if (probe_in_flight_) return false;
      probe_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::OnSuccess() {
  state_ = BreakerState::kClosed;
  failures_ = 0;
  probe_in_flight_ = false;
}

void CircuitBreaker::OnFailure() {
  ++failures_;
  // A failed probe re-opens at once; a closed breaker opens at the threshold.
  if (state_ == BreakerState::kHalfOpen || failures_ >= threshold_) {
    state_ = BreakerState::kOpen;
    opened_at_ = clock_.Now();
  }
  probe_in_flight_ = false;
}

BreakerState CircuitBreaker::State() const {
  if (state_ == BreakerState::kOpen && clock_.Now() - opened_at_ >= cool_down_) {
    return BreakerState::kHalfOpen;
  }
  return state_;
}

}  // namespace tributary::fetcher
