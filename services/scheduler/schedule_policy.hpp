#pragma once
// When a source is due next, from what the last fetch told us (DESIGN §6, scheduler). A pure
// function of the source's state and the time, so every rule is unit-tested without a clock:
//  - failures: capped exponential backoff from the source's interval (2^failures), jittered;
//  - otherwise the interval, adapted to how often new items appear (busy sources are fetched
//    up to twice as often, quiet ones up to four times less), and never before the server's
//    Cache-Control max-age / Expires says the document can change;
//  - never before Retry-After, whatever the rest says;
//  - adapted intervals stay within [min_interval, max_interval] (a source configured outside
//    those bounds keeps its own interval as the bound).
#include <chrono>
#include <optional>
#include <string_view>

namespace tributary::scheduler {

using Seconds = std::chrono::seconds;
using TimePoint = std::chrono::sys_seconds;

struct SourceTiming {
  Seconds interval{1800};
  int consecutive_failures = 0;
  std::optional<TimePoint> retry_after_until;
  std::optional<Seconds> server_max_age;
  std::optional<TimePoint> items_last_seen_at;
};

struct PolicySettings {
  Seconds min_interval{60};
  Seconds max_interval{24 * 3600};
  Seconds max_backoff{6 * 3600};
  double jitter = 0.1;  // ± this fraction of the delay
};

struct NextFetch {
  TimePoint at;
  std::string_view reason;  // for logs and metrics: interval, busy, quiet, max-age, backoff,
                            // retry-after
};

// `unit_random` in [0, 1) picks the jitter; 0.5 means none.
NextFetch NextFetchAt(const SourceTiming& source, TimePoint now, const PolicySettings& settings,
                      double unit_random);

}  // namespace tributary::scheduler
