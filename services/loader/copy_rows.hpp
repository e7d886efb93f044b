#pragma once
// Binary COPY payloads for the loader's stage tables (sql::kCreateStageTables), column for
// column what ItemParams / EmbeddingParams send to the unnest path, so both paths feed one
// upsert statement.
#include <map>
#include <string>
#include <vector>

#include "services/loader/rows.hpp"

namespace tributary::loader {

std::string ItemsCopy(const std::vector<ItemRow>& items);
// Only the items that carry a vector; `n` is the position in `items` (batch key order).
std::string EmbeddingsCopy(const std::vector<ItemRow>& items,
                           const std::map<ModelKey, int>& model_ids);

}  // namespace tributary::loader
