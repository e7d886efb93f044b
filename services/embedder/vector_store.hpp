#pragma once
// What the embedder needs from PostgreSQL, as a small interface so the core runs in tests
// against a fake and in production against the real database (pg_vector_store.hpp). Its Kafka
// ports are the shared ones (common/runtime/stage_ports.hpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "services/embedder/backend.hpp"

namespace tributary::embedder {

// A row of embedding_models.
struct RegisteredModel {
  int id = 0;
  int dims = 0;
  std::string distance;
};

// An item version as the loader keys its row: the natural key and the version's content hash
// (raw 32-byte SHA-256).
struct ItemVersion {
  std::int64_t source_id = 0;
  std::string external_id;
  std::string content_hash;
};

// The read-only PostgreSQL side: the model registry, and item_embeddings and item_chunks as a
// cache.
class VectorStore {
 public:
  virtual ~VectorStore() = default;
  [[nodiscard]] virtual Result<std::optional<RegisteredModel>> FindModel(
      const std::string& name, const std::string& version) = 0;
  // Stored vectors of `model_id` for these content hashes (raw 32-byte SHA-256): of items in
  // item_embeddings and of passages in item_chunks, in one round trip; hashes without a
  // vector are simply absent.
  [[nodiscard]] virtual Result<std::map<std::string, Vector>> Lookup(
      int model_id, const std::vector<std::string>& content_hashes) = 0;
  // Of these versions, those whose row holds that very version with its linked article merged
  // (issue 19), with the row's stored vector of `model_id` (the article's), by index into
  // `versions`. Such a row's text and vector are the article's: the feed item of that version,
  // met again when its feed is read in full, needs no embedding.
  [[nodiscard]] virtual Result<std::map<std::size_t, Vector>> MergedArticleVectors(
      int model_id, const std::vector<ItemVersion>& versions) = 0;
};

}  // namespace tributary::embedder
