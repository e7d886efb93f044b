#pragma once
// `tributary index list|build`: the per-model HNSW indexes of item_embeddings (migrations/0003).
// `build` creates the missing ones with CREATE INDEX CONCURRENTLY (writes go on meanwhile), the
// step after a bulk load with `tributary-loader --ann-index=defer`, and rebuilds an index a
// failed concurrent build left invalid. Progress comes from pg_stat_progress_create_index.
#include "common/config/source.hpp"

namespace tributary::cli {

int IndexCommand(const config::Source& source);

}  // namespace tributary::cli
