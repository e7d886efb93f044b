#pragma once
// What the fetch worker needs from Kafka, as small interfaces (kafka_ports.hpp binds them to the
// real clients; tests and the benchmark bind them to in-memory ones).
#include "common/base/result.hpp"
#include "common/kafka/message.hpp"
#include "common/kafka/producer.hpp"

namespace tributary::fetcher {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Enqueues; `on_delivery` runs once per record, on any thread. An error return means the
  // record was not enqueued and the callback will not run.
  [[nodiscard]] virtual Result<void> Send(kafka::Record record,
                                          kafka::DeliveryCallback on_delivery) = 0;
};

class DeadLetters {
 public:
  virtual ~DeadLetters() = default;
  [[nodiscard]] virtual Result<void> Publish(const kafka::Message& message, const Error& error) = 0;
};

class Completions {
 public:
  virtual ~Completions() = default;
  // Everything derived from `message` is durable: its offset may be stored. Any thread.
  virtual bool Complete(const kafka::Message& message) = 0;
};

}  // namespace tributary::fetcher
