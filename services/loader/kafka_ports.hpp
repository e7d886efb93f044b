#pragma once
// The loader's Kafka-side ports on the real clients.
#include "common/kafka/consumer.hpp"
#include "common/kafka/dlq.hpp"
#include "services/loader/store.hpp"

namespace tributary::loader {

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

}  // namespace tributary::loader
