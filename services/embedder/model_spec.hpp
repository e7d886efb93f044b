#pragma once
// The model a process embeds with: what EmbeddedItem carries and embedding_models holds.
#include <cstdint>
#include <string>

namespace tributary::embedder {

struct ModelSpec {
  std::string name;
  std::string version;
  std::uint32_t dims = 0;
  std::string distance = "cosine";
};

}  // namespace tributary::embedder
