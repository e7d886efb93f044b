#pragma once
// `tributary search "text"`: embeds the query with the configured embedding backend (the
// embedder's own library and settings, so the same TRIBUTARY_BACKEND/MODEL/DIMS/OPENAI_*
// environment works) and prints the nearest items from pgvector.
#include <cstdint>
#include <string>

#include "common/config/source.hpp"

namespace tributary::cli {

int SearchCommand(const config::Source& source);

// The nearest-neighbour query for one model, written so PostgreSQL can use the model's partial
// HNSW index (migrations/0003): the index expression embedding::vector(dims) (halfvec above
// 2000 dims) and the predicate model_id = <literal> repeated exactly, ORDER BY the distance
// operator of the model's distance, LIMIT. $1 is the query vector as text ('[0.1,...]').
// Columns: item_id, distance, title, url, source_id, source name, source url, published_at.
std::string SearchSql(int model_id, int dims, const std::string& distance, int limit);

}  // namespace tributary::cli
