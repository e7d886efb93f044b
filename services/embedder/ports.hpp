#pragma once
// What the embedder needs from Kafka and PostgreSQL, as small interfaces so the core runs in
// tests against fakes and in production against the real clients (kafka_ports.hpp,
// pg_vector_store.hpp).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/runtime/stage_ports.hpp"
#include "services/embedder/backend.hpp"

namespace tributary::embedder {

// The ports every stage shares (common/runtime/stage_ports.hpp).
using runtime::Completions;
using runtime::DeadLetters;
using runtime::RecordSink;

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
