#pragma once
// The VectorStore port on PostgreSQL, read-only: the model registry (embedding_models) and
// item_embeddings and item_chunks as the second cache layer, one round trip per batch (and one
// more for a batch with items whose linked article may be merged). Serialized by a mutex:
// the look-ups are index probes, far shorter than a backend request.
#include <mutex>

#include "common/pg/database.hpp"
#include "services/embedder/vector_store.hpp"

namespace tributary::embedder {

class PgVectorStore final : public VectorStore {
 public:
  // `give_up_after`: how long one look-up may retry a lost connection before the batch goes
  // to the backend without the cache.
  PgVectorStore(pg::Database& database, std::chrono::milliseconds give_up_after);
  Result<std::optional<RegisteredModel>> FindModel(const std::string& name,
                                                   const std::string& version) override;
  Result<std::map<std::string, Vector>> Lookup(
      int model_id, const std::vector<std::string>& content_hashes) override;
  Result<std::map<std::size_t, Vector>> MergedArticleVectors(
      int model_id, const std::vector<ItemVersion>& versions) override;

 private:
  pg::Database& database_;
  std::chrono::milliseconds give_up_after_;
  std::mutex mutex_;
};

// pgvector's text form "[1,2.5,-3e-05]" → floats; nullopt when malformed.
std::optional<Vector> ParseVectorText(std::string_view text);

}  // namespace tributary::embedder
