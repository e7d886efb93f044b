#pragma once
// Housekeeping driven from a path that runs often (forgetting idle hosts, closing expired
// connections): it runs at most once per interval instead of on every call.
#include <chrono>

#include "common/base/clock.hpp"

namespace tributary {

class AtMostEvery {
 public:
  explicit AtMostEvery(std::chrono::nanoseconds interval) : interval_(interval) {}

  // True, and the interval starts again, when it has passed since the last true (or never was).
  bool Due(Clock::TimePoint now) {
    if (now - last_ < interval_) return false;
    last_ = now;
    return true;
  }

 private:
  std::chrono::nanoseconds interval_;
  Clock::TimePoint last_{};
};

}  // namespace tributary
