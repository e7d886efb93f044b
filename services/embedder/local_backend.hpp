#pragma once
// The `local` backend: a sentence-transformer (BERT family, e.g. all-MiniLM-L6-v2) run in this
// process from a model folder (services/embedder/local/): no model server, no network. Texts
// are tokenized, cut at the model's max_seq_length (Embeddings::truncated), sorted by length and
// run in batches of similar length, so little is spent on padding; the vectors come back in
// input order. The batches of every caller go to one pool of --threads workers, each with its
// own scratch memory: however many callers embed at once, at most that many batches run (and
// take memory) at a time.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
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
  // Reads the folder (config, tokenizer, weights); `threads` batches run at once, each on one
  // core; `precision` is how the Linear layers multiply. Errors name the file and what is
  // wrong with it.
  static Result<std::unique_ptr<LocalBackend>> Load(const std::string& model_dir, int threads,
                                                    local::Precision precision);
  // The same for a model already described (Describe): its weights are not hashed again.
  static Result<std::unique_ptr<LocalBackend>> Load(const std::string& model_dir, int threads,
                                                    local::Precision precision, ModelSpec model);
  ~LocalBackend() override;
  LocalBackend(const LocalBackend&) = delete;
  LocalBackend& operator=(const LocalBackend&) = delete;
  // The model a folder holds, without loading it (config.json and a hash of the weights): for
  // settings that must name it before the backend starts.
  static Result<ModelSpec> Describe(const std::string& model_dir);

  [[nodiscard]] EmbedResult Embed(const std::vector<std::string>& texts) override;
  // The model's word pieces (its own tokenizer), [CLS] and [SEP] left out.
  [[nodiscard]] std::size_t CountTokens(std::string_view text) const override;

  // Name: the folder's name; version: the first 16 hex digits of the weights' SHA-256 (other
  // weights, another model); dims: the hidden size.
  [[nodiscard]] const ModelSpec& Model() const { return model_; }
  [[nodiscard]] std::size_t MaxTokens() const { return max_tokens_; }
  [[nodiscard]] const local::BertTokenizer& tokenizer() const { return tokenizer_; }
  // kFp32 or kBf16, whichever the model runs in.
  [[nodiscard]] local::Precision precision() const { return encoder_.precision(); }

 private:
  struct Call;  // the jobs of one Embed call still running
  // One batch of one Embed call, and where its vectors go.
  struct Job {
    std::vector<std::vector<std::int32_t>> sequences;
    std::vector<Vector>* vectors = nullptr;  // the call's output, by input index
    std::vector<std::size_t> indexes;        // of each sequence in that output
    Call* call = nullptr;
  };

  LocalBackend(local::BertTokenizer tokenizer, local::BertEncoder encoder, ModelSpec model,
               std::size_t max_tokens, std::size_t threads);
  void Work();

  local::BertTokenizer tokenizer_;
  local::BertEncoder encoder_;
  ModelSpec model_;
  std::size_t max_tokens_ = 0;
  std::size_t threads_ = 1;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;  // last: started once the rest exists
};

}  // namespace tributary::embedder
