#pragma once
// `tributary search "text"`: hybrid, vector or full-text search through tributary_search()
// (migrations/0012), with filters. The query vector comes from the configured embedding
// backend (the embedder's own library and settings, so the same TRIBUTARY_BACKEND/MODEL/DIMS/
// OPENAI_* environment works).
#include <cstdint>
#include <string>

#include "common/config/source.hpp"

namespace tributary::cli {

int SearchCommand(const config::Source& source);

}  // namespace tributary::cli
