#pragma once
// Which embedding backend and model, and how to reach it: the settings the embedder embeds items
// with and `tributary search` embeds the query with. One place, so a default changed here (the
// hash model's name, version, dims) changes both, and search never queries another model than
// the one the embedder wrote.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/config/spec.hpp"
#include "services/embedder/backend.hpp"
#include "services/embedder/local/bert_encoder.hpp"
#include "services/embedder/model_spec.hpp"
#include "services/embedder/openai_backend.hpp"

namespace tributary::embedder {

struct EmbeddingSettings {
  std::string backend = "hash";  // hash | openai | local
  std::string model;             // default tributary-hash for hash, the folder's name for local
  std::string model_version;     // default v1-d<dims> for hash, the weights' hash for local
  int dims = 0;                  // default 256 for hash, the model's for local
  std::string model_dir;         // local: a sentence-transformers model folder
  int threads = 0;               // local: cores one batch may use; 0 = all
  std::string precision = "auto";  // local: auto | fp32 | bf16 (local::Precision)
  std::string distance = "cosine";

  std::string openai_url = "https://api.openai.com/v1/embeddings";
  std::string openai_api_key;
  std::string openai_api_key_file;
  bool openai_send_dimensions = false;
  std::map<std::string, std::string> openai_headers;
  std::chrono::milliseconds openai_timeout{std::chrono::seconds(60)};
  std::string openai_ca_file;

  [[nodiscard]] ModelSpec Model() const;
  [[nodiscard]] local::Precision Precision() const;
  // The openai backend's settings, with the key read from --openai-api-key-file if given.
  [[nodiscard]] OpenAiSettings OpenAi() const;
};

// Declares --backend, --model, --model-version, --dims and --openai-*. Not --distance: only the
// embedder chooses it (search ranks with the distance the model is registered with).
void AddEmbeddingSettings(config::Spec& spec, EmbeddingSettings* settings);

// After parsing: fills in the hash backend's defaults, and the local backend's from its model
// folder; one line per setting that is missing or wrong, naming the flag and its variable.
// Without `read_model` (a --check-config run, which may happen outside the image that holds
// the model) the folder is only required, not read: it is read at start.
std::vector<std::string> ResolveEmbeddingSettings(EmbeddingSettings* settings,
                                                  bool read_model = true);

// The backend the settings name. Throws std::runtime_error when the local model cannot be
// loaded (a start-up failure, with the file and the problem in the message).
std::unique_ptr<Backend> MakeBackend(const EmbeddingSettings& settings);

}  // namespace tributary::embedder
