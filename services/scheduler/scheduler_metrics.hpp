#pragma once
// The scheduler's metrics (tributary_scheduler_*).
#include "common/metrics/registry.hpp"

namespace tributary::scheduler {

struct SchedulerMetrics {
  explicit SchedulerMetrics(metrics::Registry& registry);

  metrics::Gauge& leader;  // 1 on the active replica
  // reason: new | lease_expired
  metrics::Family<metrics::Counter>& requests;
  metrics::Counter& emit_failures;
  // reason: the policy's (interval, busy, quiet, max-age, backoff, retry-after)
  metrics::Family<metrics::Counter>& rescheduled;
  metrics::Gauge& due;      // sources due now and not leased (backlog)
  metrics::Gauge& failing;  // enabled sources at or over the failure threshold
  metrics::Gauge& enabled;
  metrics::Gauge& stale;    // enabled sources not fetched within twice their interval
  metrics::Histogram& tick_seconds;
};

}  // namespace tributary::scheduler
