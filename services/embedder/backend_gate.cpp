#include "services/embedder/backend_gate.hpp"

#include <algorithm>

namespace tributary::embedder {

using std::chrono::milliseconds;

BackendGate::BackendGate(RetrySettings settings, const Clock& clock, std::uint64_t seed)
    : settings_(settings),
      clock_(clock),
      backoff_(settings.initial, settings.max, seed),
      rng_(seed ^ 0x5DEECE66DULL) {}

milliseconds BackendGate::Delay() const {
  std::lock_guard lock(mutex_);
  const auto now = clock_.Now();
  if (now >= not_before_) return milliseconds(0);
  return std::chrono::ceil<milliseconds>(not_before_ - now);
}

milliseconds BackendGate::OnFailure(const BackendError& error) {
  std::lock_guard lock(mutex_);
  ++failures_;
  quota_ = error.kind == BackendFailure::kQuota;
  milliseconds delay = quota_ ? settings_.quota_retry : backoff_.Next();
  if (error.retry_after) {
    const auto asked = std::min(*error.retry_after, settings_.max_retry_after);
    std::uniform_int_distribution<std::int64_t> jitter(0, asked.count() / 10);
    delay = std::max(delay, asked + milliseconds(jitter(rng_)));
  }
  // Another worker may already have pushed the gate further out; never pull it back in.
  not_before_ = std::max(not_before_, clock_.Now() + delay);
  return std::chrono::ceil<milliseconds>(not_before_ - clock_.Now());
}

void BackendGate::OnSuccess() {
  std::lock_guard lock(mutex_);
  failures_ = 0;
  quota_ = false;
  backoff_.Reset();
  not_before_ = {};
}

bool BackendGate::paused() const {
  std::lock_guard lock(mutex_);
  return failures_ > 0;
}

bool BackendGate::quota_exhausted() const {
  std::lock_guard lock(mutex_);
  return quota_;
}

int BackendGate::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

}  // namespace tributary::embedder
