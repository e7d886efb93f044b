#include "tests/support/kafka_admin.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <stdexcept>

#include "tests/support/test_env.hpp"

namespace tributary::testing {

void CreateTopic(const std::string& brokers, const std::string& topic, int partitions) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), error, sizeof error);
  rd_kafka_t* client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (client == nullptr) throw std::runtime_error(std::string("rd_kafka_new: ") + error);
  rd_kafka_NewTopic_t* new_topic =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, error, sizeof error);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(client);
  rd_kafka_CreateTopics(client, &new_topic, 1, nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 30000);
  std::string failure;
  if (event == nullptr) {
    failure = "timed out";
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    failure = rd_kafka_event_error_string(event);
  } else {
    size_t count = 0;
    const auto* result = rd_kafka_event_CreateTopics_result(event);
    const auto** topics = rd_kafka_CreateTopics_result_topics(result, &count);
    for (size_t i = 0; i < count; ++i) {
      if (rd_kafka_topic_result_error(topics[i]) != RD_KAFKA_RESP_ERR_NO_ERROR &&
          rd_kafka_topic_result_error(topics[i]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        failure = rd_kafka_topic_result_error_string(topics[i]);
      }
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(new_topic);
  rd_kafka_destroy(client);
  if (!failure.empty()) throw std::runtime_error("cannot create topic " + topic + ": " + failure);
}

std::map<std::int32_t, std::int64_t> CommittedOffsets(const std::string& brokers,
                                                      const std::string& group,
                                                      const std::string& topic, int partitions) {
  std::string error;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", brokers, error);
  conf->set("group.id", group, error);
  // Never subscribes, so it reads the group's offsets without joining or disturbing it.
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer) throw std::runtime_error("cannot create consumer: " + error);
  std::vector<RdKafka::TopicPartition*> list;
  for (int p = 0; p < partitions; ++p) list.push_back(RdKafka::TopicPartition::create(topic, p));
  const auto err = consumer->committed(list, 30000);
  std::map<std::int32_t, std::int64_t> out;
  for (const auto* tp : list) out[tp->partition()] = tp->offset();
  RdKafka::TopicPartition::destroy(list);
  consumer->close();
  if (err != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error("cannot read committed offsets: " + RdKafka::err2str(err));
  }
  return out;
}

std::vector<kafka::Message> ReadAll(const std::string& brokers, const std::string& topic,
                                    std::size_t count, std::chrono::milliseconds timeout) {
  std::string error;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", brokers, error);
  conf->set("group.id", UniqueName("reader"), error);
  conf->set("auto.offset.reset", "earliest", error);
  conf->set("enable.auto.commit", "false", error);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer) throw std::runtime_error("cannot create consumer: " + error);
  consumer->subscribe({topic});
  std::vector<kafka::Message> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> raw(consumer->consume(200));
    if (raw->err() != RdKafka::ERR_NO_ERROR) continue;
    kafka::Message message{.topic = raw->topic_name(), .partition = raw->partition(),
                           .offset = raw->offset(),
                           .key = raw->key() != nullptr ? *raw->key() : std::string(),
                           .value = std::string(static_cast<const char*>(raw->payload()),
                                                raw->len())};
    if (const auto* headers = raw->headers()) {
      for (const auto& h : headers->get_all()) {
        message.headers.emplace_back(
            h.key(), std::string(static_cast<const char*>(h.value()), h.value_size()));
      }
    }
    out.push_back(std::move(message));
  }
  consumer->close();
  return out;
}

}  // namespace tributary::testing
