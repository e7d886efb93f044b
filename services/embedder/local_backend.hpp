#pragma once
// The `local` backend: a sentence-transformer (BERT family, e.g. all-MiniLM-L6-v2) run in this
// process from a model folder (services/embedder/local/): no model server, no network. Texts
// are tokenized, cut at the model's max_seq_length (counted in metrics), sorted by length and
// run in batches of similar length, so little is spent on padding; the vectors come back in
// input order.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "services/embedder/backend.hpp"
#include "services/embedder/local/bert_encoder.hpp"
#include "services/embedder/local/bert_tokenizer.hpp"
#include "services/embedder/local/model_folder.hpp"
#include "services/embedder/model_spec.hpp"

namespace tributary::embedder {

class LocalBackend final : public Backend {
 public:
  // Reads the folder (config, tokenizer, weights); `threads` is how many cores one batch may
  // use. Errors name the file and what is wrong with it.
  static Result<std::unique_ptr<LocalBackend>> Load(const std::string& model_dir, int threads);
  // The model a folder holds, without loading it (config.json and a hash of the weights): for
  // settings that must name it before the backend starts.
  static Result<ModelSpec> Describe(const std::string& model_dir);

  [[nodiscard]] EmbedResult Embed(const std::vector<std::string>& texts) override;

  // Name: the folder's name; version: the first 16 hex digits of the weights' SHA-256 (other
  // weights, another model); dims: the hidden size.
  [[nodiscard]] const ModelSpec& Model() const { return model_; }
  [[nodiscard]] std::size_t MaxTokens() const { return max_tokens_; }
  // Texts cut at max_seq_length so far.
  [[nodiscard]] std::uint64_t TruncatedTexts() const { return truncated_.load(); }
  [[nodiscard]] const local::BertTokenizer& tokenizer() const { return tokenizer_; }

 private:
  LocalBackend(local::BertTokenizer tokenizer, local::BertEncoder encoder, ModelSpec model,
               std::size_t max_tokens, std::size_t threads);

  local::BertTokenizer tokenizer_;
  local::BertEncoder encoder_;
  ModelSpec model_;
  std::size_t max_tokens_ = 0;
  std::size_t threads_ = 1;
  std::atomic<std::uint64_t> truncated_{0};
};

}  // namespace tributary::embedder
