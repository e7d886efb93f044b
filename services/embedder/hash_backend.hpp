#pragma once
// The built-in `hash` backend: feature hashing of word unigrams and bigrams and of character
// 3- and 4-grams into a fixed number of dimensions, with a hashed sign (so collisions cancel
// out on average instead of piling up), L2-normalized.
//
// It captures LEXICAL similarity only: texts that share words and word pieces end up close,
// synonyms and paraphrases do not. It needs no model and no network, is deterministic across
// runs and machines, and is the local default so the demo works offline. For semantic search
// configure an `openai` backend.
#include <cstdint>
#include <string_view>

#include "services/embedder/backend.hpp"

namespace tributary::embedder {

// The vector of one text. Empty text gets a fixed unit vector so every vector has norm 1.
Vector HashEmbed(std::string_view text, std::uint32_t dims);

class HashBackend final : public Backend {
 public:
  explicit HashBackend(std::uint32_t dims) : dims_(dims) {}
  [[nodiscard]] EmbedResult Embed(const std::vector<std::string>& texts) override;

 private:
  std::uint32_t dims_;
};

}  // namespace tributary::embedder
