#pragma once
// What the embedder needs from Kafka and PostgreSQL, as small interfaces so the core runs in
// tests against fakes and in production against the real clients (kafka_ports.hpp,
// pg_vector_store.hpp).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/kafka/message.hpp"
#include "common/kafka/producer.hpp"
#include "services/embedder/backend.hpp"

namespace tributary::embedder {

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

// A row of embedding_models.
struct RegisteredModel {
  int id = 0;
  int dims = 0;
  std::string distance;
};

// The read-only PostgreSQL side: the model registry and item_embeddings as a cache.
class VectorStore {
 public:
  virtual ~VectorStore() = default;
  [[nodiscard]] virtual Result<std::optional<RegisteredModel>> FindModel(
      const std::string& name, const std::string& version) = 0;
  // Stored vectors of `model_id` for these content hashes (raw 32-byte SHA-256), in one
  // round trip; hashes without a vector are simply absent.
  [[nodiscard]] virtual Result<std::map<std::string, Vector>> Lookup(
      int model_id, const std::vector<std::string>& content_hashes) = 0;
};

}  // namespace tributary::embedder
