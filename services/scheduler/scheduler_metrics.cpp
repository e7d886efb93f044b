#include "services/scheduler/scheduler_metrics.hpp"

namespace tributary::scheduler {

SchedulerMetrics::SchedulerMetrics(metrics::Registry& registry)
    : leader(registry.AddGauge("tributary_scheduler_leader",
                               "1 when this replica holds the scheduling lease, else 0.")),
      requests(registry.CounterFamily("tributary_scheduler_requests_total",
                                      "FetchRequests emitted: for a due source (reason new or "
                                      "lease_expired) or an item's article page (article).",
                                      {"reason"})),
      emit_failures(registry.AddCounter(
          "tributary_scheduler_emit_failures_total",
          "FetchRequests the broker did not acknowledge; their sources are due again at once.")),
      rescheduled(registry.CounterFamily(
          "tributary_scheduler_rescheduled_total",
          "Fetch outcomes turned into a next fetch time, by the rule that decided it.",
          {"reason"})),
      due(registry.AddGauge("tributary_scheduler_due_sources",
                            "Enabled sources that are due and not leased (the backlog).")),
      failing(registry.AddGauge(
          "tributary_scheduler_failing_sources",
          "Enabled sources whose consecutive failures reached --failure-threshold.")),
      enabled(registry.AddGauge("tributary_scheduler_enabled_sources", "Enabled sources.")),
      stale(registry.AddGauge(
          "tributary_scheduler_stale_sources",
          "Enabled sources not fetched within twice their fetch interval (one never fetched: "
          "since it was added); 1 - stale/enabled is the freshness SLO.")),
      tick_seconds(registry.AddHistogram("tributary_scheduler_tick_seconds",
                                         "Time of one scheduling round (leader only).",
                                         {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5})) {}

}  // namespace tributary::scheduler
