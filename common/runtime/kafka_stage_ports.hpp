#pragma once
// The stage ports (stage_ports.hpp) on the real Kafka clients.
#include "common/kafka/consumer.hpp"
#include "common/kafka/dlq.hpp"
#include "common/kafka/producer.hpp"
#include "common/runtime/stage_ports.hpp"

namespace tributary::runtime {

class ProducerSink final : public RecordSink {
 public:
  explicit ProducerSink(kafka::Producer& producer) : producer_(producer) {}
  Result<void> Send(kafka::Record record, kafka::DeliveryCallback on_delivery) override {
    return producer_.Produce(std::move(record), std::move(on_delivery));
  }

 private:
  kafka::Producer& producer_;
};

class KafkaDeadLetters final : public DeadLetters {
 public:
  explicit KafkaDeadLetters(kafka::DlqPublisher& publisher) : publisher_(publisher) {}
  Result<void> Publish(const kafka::Message& message, const Error& error) override {
    return publisher_.Publish(message, error);
  }

 private:
  kafka::DlqPublisher& publisher_;
};

class ConsumerCompletions final : public Completions {
 public:
  explicit ConsumerCompletions(kafka::Consumer& consumer) : consumer_(consumer) {}
  bool Complete(const kafka::Message& message) override { return consumer_.Complete(message); }

 private:
  kafka::Consumer& consumer_;
};

}  // namespace tributary::runtime
