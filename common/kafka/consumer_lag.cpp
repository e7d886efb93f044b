#include "common/kafka/consumer_lag.hpp"

#include <nlohmann/json.hpp>

namespace tributary::kafka {

std::vector<PartitionLag> ParseConsumerLag(std::string_view statistics_json) {
  std::vector<PartitionLag> out;
  const auto stats = nlohmann::json::parse(statistics_json, nullptr, /*allow_exceptions=*/false);
  if (!stats.is_object() || !stats.contains("topics") || !stats["topics"].is_object()) return out;
  for (const auto& [topic, topic_stats] : stats["topics"].items()) {
    if (!topic_stats.is_object() || !topic_stats.contains("partitions")) continue;
    for (const auto& [id, p] : topic_stats["partitions"].items()) {
      if (!p.is_object()) continue;
      const auto partition = p.value("partition", -1);
      if (partition < 0) continue;  // librdkafka's internal UA partition
      const char* field = p.contains("consumer_lag_stored") ? "consumer_lag_stored"
                                                              : "consumer_lag";
      const auto lag = p.value(field, std::int64_t{-1});
      if (lag < 0) continue;
      out.push_back({.topic = topic, .partition = partition, .lag = lag});
    }
  }
  return out;
}

}  // namespace tributary::kafka
