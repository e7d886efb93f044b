#include "common/kafka/client_config.hpp"

#include <stdexcept>

namespace tributary::kafka {

std::unique_ptr<RdKafka::Conf> MakeConf(const Settings& settings,
                                        const std::map<std::string, std::string>& defaults) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  auto set = [&](const std::string& key, const std::string& value) {
    std::string error;
    if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK) {
      throw std::runtime_error("invalid Kafka property '" + key + "' (--kafka / TRIBUTARY_KAFKA__" +
                               key + "): " + error);
    }
  };
  set("bootstrap.servers", settings.brokers);
  for (const auto& [key, value] : defaults) set(key, value);
  for (const auto& [key, value] : settings.properties) set(key, value);
  return conf;
}

std::string ErrorClass(RdKafka::ErrorCode code) {
  switch (code) {
    case RdKafka::ERR__MSG_TIMED_OUT: return "kafka.timeout";
    case RdKafka::ERR__TIMED_OUT: return "kafka.timeout";
    case RdKafka::ERR_MSG_SIZE_TOO_LARGE: return "kafka.too_large";
    case RdKafka::ERR__UNKNOWN_TOPIC:
    case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART: return "kafka.unknown_topic";
    case RdKafka::ERR__TRANSPORT:
    case RdKafka::ERR__ALL_BROKERS_DOWN: return "kafka.unavailable";
    case RdKafka::ERR__FATAL: return "kafka.fatal";
    case RdKafka::ERR__STATE: return "kafka.state";
    default: return "kafka." + std::to_string(static_cast<int>(code));
  }
}

Message ToMessage(RdKafka::Message& raw) {
  Message message{.topic = raw.topic_name(),
                  .partition = raw.partition(),
                  .offset = raw.offset(),
                  .key = raw.key() != nullptr ? *raw.key() : std::string(),
                  .value = std::string(static_cast<const char*>(raw.payload()), raw.len()),
                  .timestamp_ms = raw.timestamp().timestamp};
  if (const auto* headers = raw.headers()) {
    for (const auto& header : headers->get_all()) {
      message.headers.emplace_back(
          header.key(), header.value() != nullptr
                            ? std::string(static_cast<const char*>(header.value()),
                                          header.value_size())
                            : std::string());
    }
  }
  return message;
}

}  // namespace tributary::kafka
