#pragma once
// An injectable monotonic clock, so time-driven logic (rate limits, circuit breakers, backoff)
// is tested by advancing a fake instead of sleeping.
#include <chrono>

namespace tributary {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  [[nodiscard]] virtual TimePoint Now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  [[nodiscard]] TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  // The process's real clock; stateless, so one instance serves every thread.
  static SteadyClock& Instance() {
    static SteadyClock clock;
    return clock;
  }
};

}  // namespace tributary
