#pragma once
// What a stage's core needs from Kafka, as three small interfaces, so the core runs in unit tests
// against in-memory fakes and in production against the real clients (kafka_stage_ports.hpp).
#include "common/base/result.hpp"
#include "common/kafka/message.hpp"
#include "common/kafka/producer.hpp"

namespace tributary::runtime {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Enqueues; `on_delivery` runs once the broker acknowledged (or failed) the record, on any
  // thread. An error return means the record was not enqueued and the callback will not run.
  [[nodiscard]] virtual Result<void> Send(kafka::Record record,
                                          kafka::DeliveryCallback on_delivery) = 0;
};

class DeadLetters {
 public:
  virtual ~DeadLetters() = default;
  // Produces to dlq.<stage> and waits for the acknowledgement; an error is retryable (keep the
  // offset, try again).
  [[nodiscard]] virtual Result<void> Publish(const kafka::Message& message, const Error& error) = 0;
};

class Completions {
 public:
  virtual ~Completions() = default;
  // Everything derived from `message` is durable: its offset may be stored. Any thread. False
  // when the offset can no longer be stored (partition revoked or lost).
  virtual bool Complete(const kafka::Message& message) = 0;
};

}  // namespace tributary::runtime
