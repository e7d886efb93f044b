#pragma once
// Connection settings shared by every stage, and the librdkafka defaults that DESIGN §4 requires.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/spec.hpp"

namespace tributary::kafka {

struct Settings {
  std::string brokers = "localhost:9092";
  std::string topic_prefix = "tributary";
  // Any librdkafka property (SASL, TLS, tuning), applied last so it overrides our defaults.
  std::map<std::string, std::string> properties;

  // "<prefix>.<name>", e.g. Topic("items") == "tributary.items".
  [[nodiscard]] std::string Topic(std::string_view name) const;
  // A topic setting: `chosen` when set, else Topic(name).
  [[nodiscard]] std::string TopicOr(const std::string& chosen, std::string_view name) const;
};

// Declares --kafka-brokers, --topic-prefix and --kafka on `spec`, with a check that every
// --kafka property is one librdkafka accepts (a misspelled one fails as a bad setting, exit 2).
void AddSettings(config::Spec& spec, Settings* settings);

// Declares --group-instance-id (TRIBUTARY_GROUP_INSTANCE_ID) on a consuming stage: static group
// membership, one stable id per replica (the pod name in the chart).
void AddGroupInstanceId(config::Spec& spec, std::string* group_instance_id);

// One line per property librdkafka refuses (name and reason; never the value).
std::vector<std::string> PropertyProblems(const Settings& settings);

}  // namespace tributary::kafka
