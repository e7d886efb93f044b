#pragma once
// When the next request may go to the embedding backend. All workers share one gate, so a
// backend that is down is probed by one request per backoff step instead of by every worker,
// and the whole stage pauses (DESIGN §4: transient failure → back off with jitter, retry
// forever, nothing to the DLQ, no offset moves).
//  - transient (429, 5xx, timeout, connection): capped exponential backoff with full jitter;
//    a Retry-After is honoured (plus up to 10 % jitter so replicas do not return in lockstep);
//  - quota exhausted: waits `quota_retry` (or a longer Retry-After) between probes, because a
//    quota comes back when someone pays or a period rolls over, not in seconds.
// Time comes from an injected Clock; the gate never sleeps itself.
#include <chrono>
#include <mutex>
#include <random>

#include "common/base/backoff.hpp"
#include "common/base/clock.hpp"
#include "services/embedder/backend.hpp"

namespace tributary::embedder {

struct RetrySettings {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{std::chrono::seconds(30)};
  std::chrono::milliseconds quota_retry{std::chrono::seconds(60)};
  // A Retry-After longer than this is cut to it (a misconfigured proxy must not park us a day).
  std::chrono::milliseconds max_retry_after{std::chrono::minutes(10)};
};

class BackendGate {
 public:
  BackendGate(RetrySettings settings, const Clock& clock, std::uint64_t seed = std::random_device{}());

  // How long to wait before sending; zero when the gate is open.
  [[nodiscard]] std::chrono::milliseconds Delay() const;
  // Records a transient or quota failure; returns the wait it imposes on every worker.
  std::chrono::milliseconds OnFailure(const BackendError& error);
  // The backend answered: the gate opens and the backoff starts over.
  void OnSuccess();

  // Failing since the last success (the stage is paused).
  [[nodiscard]] bool paused() const;
  [[nodiscard]] bool quota_exhausted() const;
  [[nodiscard]] int failures() const;

 private:
  RetrySettings settings_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  Backoff backoff_;
  std::mt19937_64 rng_;
  Clock::TimePoint not_before_{};
  int failures_ = 0;
  bool quota_ = false;
};

}  // namespace tributary::embedder
