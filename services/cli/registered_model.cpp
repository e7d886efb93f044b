#include "services/cli/registered_model.hpp"

#include <fmt/format.h>

namespace tributary::cli {

std::optional<RegisteredModel> FindRegisteredModel(pqxx::connection& connection,
                                                   const embedder::EmbeddingSettings& embedding,
                                                   std::string* why, bool* not_registered) {
  pqxx::read_transaction tx(connection);
  const auto rows = tx.exec_params(
      "SELECT id, dims, distance FROM embedding_models WHERE name = $1 AND version = $2",
      embedding.model, embedding.model_version);
  if (not_registered != nullptr) *not_registered = rows.empty();
  if (rows.empty()) {
    std::string known;
    for (const auto& r : tx.exec("SELECT name || ' ' || version FROM embedding_models "
                                 "ORDER BY id")) {
      known += (known.empty() ? "" : ", ") + std::string(r[0].c_str());
    }
    *why = fmt::format("model {} {} has no vectors yet (not in embedding_models; registered: {})",
                       embedding.model, embedding.model_version, known.empty() ? "none" : known);
    return std::nullopt;
  }
  RegisteredModel model{rows[0][0].as<int>(), rows[0][1].as<int>(),
                        rows[0][2].as<std::string>()};
  if (model.dims != embedding.dims) {
    *why = fmt::format("model {} {} is registered with {} dims, but --dims is {}",
                       embedding.model, embedding.model_version, model.dims, embedding.dims);
    return std::nullopt;
  }
  return model;
}

}  // namespace tributary::cli
