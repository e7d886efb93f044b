#pragma once
// `tributary status --check`: the SLOs the Prometheus alerts watch (deploy/prometheus), judged
// from one `tributary status` snapshot, for cron and CI users without Prometheus.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tributary::cli {

struct SloThresholds {
  std::int64_t max_lag = 10'000;  // per consumer group
  std::int64_t max_dlq = 0;       // records per dead-letter topic
  int min_fresh_percent = 99;     // enabled sources fetched within 2x their interval
  int max_error_percent = 25;     // of the last 24 h's fetches (counted from 20 fetches on)
  std::chrono::milliseconds failing_for = std::chrono::hours(6);  // see sources.failing_long
};

// Fetches in 24 h below which the error rate is not judged: a handful of fetches of a new
// deployment says nothing about its error rate.
inline constexpr std::int64_t kMinFetchesForErrorRate = 20;

// One line per breached SLO, naming it, its value and the setting that bounds it; empty when
// every SLO holds. `status` is what `tributary status --json` prints (with the database part's
// sources.fresh and sources.failing_long); a section that could not be read is not judged here
// (the command exits 1 for it).
std::vector<std::string> BreachedSlos(const nlohmann::json& status,
                                      const SloThresholds& thresholds);

}  // namespace tributary::cli
