#pragma once
// `tributary embed [TEXT ... | -]`: each text's vector from the configured embedding backend
// (the embedder's settings), as JSON lines, computed exactly as the embedder stage computes it:
// for debugging a model and checking it against its reference implementation.
#include "common/config/source.hpp"

namespace tributary::cli {

int EmbedCommand(const config::Source& source);

}  // namespace tributary::cli
