#include "common/kafka/settings.hpp"

#include <librdkafka/rdkafkacpp.h>

#include <cctype>
#include <memory>

namespace tributary::kafka {
namespace {

// sasl.password -> SASL_PASSWORD, the variable spelling of a property.
std::string EnvKey(std::string key) {
  for (auto& c : key) c = c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return key;
}

}  // namespace

std::string Settings::Topic(const std::string& name) const {
  return topic_prefix.empty() ? name : topic_prefix + "." + name;
}

void AddSettings(config::Spec& spec, Settings* settings) {
  spec.String("kafka-brokers", &settings->brokers, "Kafka bootstrap servers, host:port[,...].")
      .String("topic-prefix", &settings->topic_prefix,
              "Prefix of every topic name: <prefix>.items, <prefix>.dlq.loader, ...")
      .KeyValues("kafka", &settings->properties,
                 "Any librdkafka property, e.g. security.protocol=SASL_SSL.")
      .Check([settings] { return PropertyProblems(*settings); });
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
      problems.push_back("--kafka " + key + "=<hidden> (TRIBUTARY_KAFKA__" + EnvKey(key) +
                         "): " + error);
    }
  }
  return problems;
}

}  // namespace tributary::kafka
