#include "services/cli/slo_check.hpp"

#include <fmt/format.h>

namespace tributary::cli {

std::vector<std::string> BreachedSlos(const nlohmann::json& status,
                                      const SloThresholds& thresholds) {
  std::vector<std::string> out;
  for (const auto& g : status.value("groups", nlohmann::json::array())) {
    if (g.contains("error")) continue;
    const auto group = g["group"].get<std::string>();
    const auto lag = g["lag"].get<std::int64_t>();
    if (lag > thresholds.max_lag) {
      out.push_back(fmt::format("lag: {} has {} messages of lag (--max-lag {})", group, lag,
                                thresholds.max_lag));
    } else if (lag > 0 && g["members"].get<std::int64_t>() == 0) {
      out.push_back(fmt::format("stage down: {} has {} messages of lag and no member consuming",
                                group, lag));
    }
  }
  for (const auto& d : status.value("dlq", nlohmann::json::array())) {
    const auto depth = d["depth"].get<std::int64_t>();
    if (depth > thresholds.max_dlq) {
      out.push_back(fmt::format("dead letters: {} holds {} records (--max-dlq {})",
                                d["topic"].get<std::string>(), depth, thresholds.max_dlq));
    }
  }
  if (status.contains("sources")) {
    const auto& s = status["sources"];
    const auto enabled = s["enabled"].get<std::int64_t>();
    const auto fresh = s["fresh"].get<std::int64_t>();
    if (enabled > 0 && fresh * 100 < enabled * thresholds.min_fresh_percent) {
      out.push_back(fmt::format(
          "freshness: {} of {} enabled sources ({:.1f} %) were fetched within twice their "
          "interval (--min-fresh-percent {})",
          fresh, enabled, 100.0 * static_cast<double>(fresh) / static_cast<double>(enabled),
          thresholds.min_fresh_percent));
    }
    if (const auto failing = s["failing_long"].get<std::int64_t>(); failing > 0) {
      out.push_back(fmt::format("failing sources: {} enabled sources have failed for longer "
                                "than {} (--failing-for; `tributary sources list --failing`)",
                                failing, s["failing_for"].get<std::string>()));
    }
  }
  if (status.contains("errors_24h")) {
    const auto& e = status["errors_24h"];
    const auto fetches = e["fetches"].get<std::int64_t>();
    const auto errors = e["errors"].get<std::int64_t>();
    if (fetches >= kMinFetchesForErrorRate &&
        errors * 100 > fetches * thresholds.max_error_percent) {
      out.push_back(fmt::format("fetch errors: {} of {} fetches in 24 h failed ({:.1f} %, "
                                "--max-error-percent {})",
                                errors, fetches,
                                100.0 * static_cast<double>(errors) / static_cast<double>(fetches),
                                thresholds.max_error_percent));
    }
  }
  return out;
}

}  // namespace tributary::cli
