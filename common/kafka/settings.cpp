#include "common/kafka/settings.hpp"

namespace tributary::kafka {

std::string Settings::Topic(const std::string& name) const {
  return topic_prefix.empty() ? name : topic_prefix + "." + name;
}

void AddSettings(config::Spec& spec, Settings* settings) {
  spec.String("kafka-brokers", &settings->brokers, "Kafka bootstrap servers, host:port[,...].")
      .String("topic-prefix", &settings->topic_prefix,
              "Prefix of every topic name: <prefix>.items, <prefix>.dlq.loader, ...")
      .KeyValues("kafka", &settings->properties,
                 "Any librdkafka property, e.g. security.protocol=SASL_SSL.");
}

}  // namespace tributary::kafka
