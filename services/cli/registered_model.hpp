#pragma once
// The embedding model that the embedder's settings name, as registered in embedding_models:
// what `tributary search` embeds its query with and `tributary reembed` backfills for.
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "services/embedder/embedding_settings.hpp"

namespace tributary::cli {

struct RegisteredModel {
  int id = 0;
  int dims = 0;
  std::string distance;
};

// The registered model of `embedding` (resolved settings), or nothing with the reason in `why`:
// not registered (the message lists those that are; `not_registered` is then set, if given) or
// registered with other dims.
std::optional<RegisteredModel> FindRegisteredModel(pqxx::connection& connection,
                                                   const embedder::EmbeddingSettings& embedding,
                                                   std::string* why,
                                                   bool* not_registered = nullptr);

}  // namespace tributary::cli
