#include "services/scheduler/schedule_policy.hpp"

#include <algorithm>
#include <cmath>

namespace tributary::scheduler {
namespace {

// Quiet thresholds, in intervals without a new item.
constexpr int kQuietAfter = 8;
constexpr int kVeryQuietAfter = 32;
// 2^20 intervals is beyond any cap; stops the shift from overflowing.
constexpr int kMaxBackoffExponent = 20;

Seconds Jittered(Seconds delay, double jitter, double unit_random) {
  const double factor = 1.0 + jitter * (2.0 * std::clamp(unit_random, 0.0, 1.0) - 1.0);
  return Seconds(std::llround(static_cast<double>(delay.count()) * factor));
}

}  // namespace

NextFetch NextFetchAt(const SourceTiming& source, TimePoint now, const PolicySettings& settings,
                      double unit_random) {
  const Seconds interval = std::max(source.interval, Seconds(1));
  Seconds delay = interval;
  std::string_view reason = "interval";
  if (source.consecutive_failures > 0) {
    const int exponent = std::min(source.consecutive_failures, kMaxBackoffExponent);
    const auto backoff = interval.count() * (std::int64_t{1} << exponent);
    delay = std::min(Seconds(backoff), std::max(settings.max_backoff, interval));
    reason = "backoff";
  } else {
    if (source.items_last_seen_at) {
      const auto quiet = now - *source.items_last_seen_at;
      if (quiet < interval) {
        delay = interval / 2;
        reason = "busy";
      } else if (quiet > kVeryQuietAfter * interval) {
        delay = interval * 4;
        reason = "quiet";
      } else if (quiet > kQuietAfter * interval) {
        delay = interval * 2;
        reason = "quiet";
      }
    }
    const Seconds lower = std::min(settings.min_interval, interval);
    const Seconds upper = std::max(settings.max_interval, interval);
    delay = std::clamp(delay, lower, upper);
    if (source.server_max_age && *source.server_max_age > delay) {
      delay = std::min(*source.server_max_age, upper);
      reason = "max-age";
    }
  }
  NextFetch next{now + Jittered(delay, settings.jitter, unit_random), reason};
  if (source.retry_after_until && *source.retry_after_until > next.at) {
    next = {*source.retry_after_until, "retry-after"};
  }
  return next;
}

}  // namespace tributary::scheduler
