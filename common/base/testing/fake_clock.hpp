#pragma once
// A Clock that moves only when a test says so.
#include <atomic>

#include "common/base/clock.hpp"

namespace tributary::testing {

class FakeClock final : public Clock {
 public:
  // Starts well after the epoch so "now minus a cool-down" never underflows.
  FakeClock() : now_(TimePoint(std::chrono::hours(24))) {}
  [[nodiscard]] TimePoint Now() const override { return now_.load(); }
  void Advance(std::chrono::nanoseconds by) { now_.store(now_.load() + by); }

 private:
  std::atomic<TimePoint> now_;
};

}  // namespace tributary::testing
