#pragma once
// What the parser stage needs from Kafka, as small interfaces so the core runs in tests against
// an in-memory bus and in production against the real clients (kafka_ports.hpp).
#include "common/base/result.hpp"
#include "common/kafka/message.hpp"
#include "common/kafka/producer.hpp"

namespace tributary::parser {

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
  // Produces and waits; an error is retryable (keep the offset, try again).
  [[nodiscard]] virtual Result<void> Publish(const kafka::Message& message, const Error& error) = 0;
};

class Completions {
 public:
  virtual ~Completions() = default;
  // Everything derived from `message` is durable: its offset may be stored. Any thread.
  virtual bool Complete(const kafka::Message& message) = 0;
};

}  // namespace tributary::parser
