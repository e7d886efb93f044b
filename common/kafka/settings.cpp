#include "common/kafka/settings.hpp"

#include <librdkafka/rdkafkacpp.h>

#include <memory>

namespace tributary::kafka {

std::string Settings::Topic(std::string_view name) const {
  return topic_prefix.empty() ? std::string(name) : topic_prefix + "." + std::string(name);
}

std::string Settings::TopicOr(const std::string& chosen, std::string_view name) const {
  return chosen.empty() ? Topic(name) : chosen;
}

void AddSettings(config::Spec& spec, Settings* settings) {
  spec.String("kafka-brokers", &settings->brokers, "Kafka bootstrap servers, host:port[,...].")
      .String("topic-prefix", &settings->topic_prefix,
              "Prefix of every topic name: <prefix>.items, <prefix>.dlq.loader, ...")
      .KeyValues("kafka", &settings->properties,
                 "Any librdkafka property, e.g. security.protocol=SASL_SSL.")
      .Check([settings] { return PropertyProblems(*settings); });
}

void AddGroupInstanceId(config::Spec& spec, std::string* group_instance_id) {
  spec.String("group-instance-id", group_instance_id,
              "Static group membership: a stable id, unique per replica in the group (e.g. the "
              "pod name). A restarted replica with the same id resumes its partitions at once "
              "instead of after the session timeout. Empty: dynamic membership.");
}

std::vector<std::string> PropertyProblems(const Settings& settings) {
  std::vector<std::string> problems;
  // A global configuration also takes topic-level properties (its default topic config).
  const std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  for (const auto& [key, value] : settings.properties) {
    std::string error;
    if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK) {
      // The value is never echoed, also not inside librdkafka's reason: it may be a secret.
      for (auto at = error.find(value); !value.empty() && at != std::string::npos;
           at = error.find(value, at)) {
        error.replace(at, value.size(), "<hidden>");
      }
      problems.push_back("--kafka " + key + "=<hidden> (" +
                         config::KeyValueEnvName("kafka", key) + "): " + error);
    }
  }
  return problems;
}

}  // namespace tributary::kafka
