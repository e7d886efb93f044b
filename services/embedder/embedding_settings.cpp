#include "services/embedder/embedding_settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/base/cpu_quota.hpp"
#include "common/config/secrets.hpp"
#include "services/embedder/hash_backend.hpp"
#include "services/embedder/local/amx_bf16.hpp"
#include "services/embedder/local_backend.hpp"

namespace tributary::embedder {
namespace {

constexpr const char* kHashModel = "tributary-hash";
constexpr int kDefaultHashDims = 256;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

ModelSpec EmbeddingSettings::Model() const {
  return {.name = model, .version = model_version, .dims = static_cast<std::uint32_t>(dims),
          .distance = distance};
}

local::Precision EmbeddingSettings::Precision() const { return local::PrecisionNamed(precision); }

OpenAiSettings EmbeddingSettings::OpenAi() const {
  OpenAiSettings settings;
  settings.url = openai_url;
  settings.model = model;
  settings.dims = static_cast<std::uint32_t>(dims);
  settings.send_dimensions = openai_send_dimensions;
  settings.api_key = openai_api_key;
  if (!openai_api_key_file.empty()) {
    std::ifstream in(openai_api_key_file);
    std::stringstream content;
    content << in.rdbuf();
    settings.api_key = Trimmed(content.str());
    config::RememberSecret(settings.api_key);  // masked wherever a backend echoes it
  }
  // TRIBUTARY_OPENAI_HEADER__X_TITLE arrives as "x.title" (the config reads '_' as '.'); header
  // names never contain dots, so dots are dashes here.
  for (const auto& [name, value] : openai_headers) {
    std::string header = name;
    for (auto& c : header) c = c == '.' ? '-' : c;
    settings.headers[header] = value;
  }
  settings.timeout = openai_timeout;
  settings.ca_file = openai_ca_file;
  return settings;
}

void AddEmbeddingSettings(config::Spec& spec, EmbeddingSettings* settings) {
  spec.Choice("backend", &settings->backend, {"hash", "openai", "local"},
              "local: a sentence-transformer (BERT family, e.g. all-MiniLM-L6-v2) run in this "
              "process from --model-dir: semantic similarity, no server, no network. hash: "
              "built in, deterministic feature hashing of words and character n-grams (LEXICAL "
              "similarity only, no model; the fastest, for tests). openai: any "
              "OpenAI-compatible POST /v1/embeddings (OpenAI, Ollama, vLLM, "
              "text-embeddings-inference, LocalAI).")
      .String("model", &settings->model,
              "Model name, sent to the backend and recorded in embedding_models; default "
              "tributary-hash for the hash backend, required for openai.")
      .String("model-version", &settings->model_version,
              "Model version recorded in embedding_models; a new version is a new model, "
              "side by side. Default for hash: v1-d<dims>.")
      .Int("dims", &settings->dims, 0, 16000,
           "Vector dimensions; every answer is checked against it and against the registered "
           "model. Default 256 for hash, the model's own for local; required for openai.")
      .String("model-dir", &settings->model_dir,
              "local: the sentence-transformers model folder (config.json, model.safetensors, "
              "tokenizer.json, modules.json, 1_Pooling/); deploy/local/install.sh puts "
              "all-MiniLM-L6-v2 in .local/models, the image in /opt/tributary/models.")
      .Int("threads", &settings->threads, 0, 256,
           "local: threads the model runs on; 0 = the cores this process may use (the "
           "machine's, capped by a container CPU limit).")
      .Choice("precision", &settings->precision, {"auto", "fp32", "bf16"},
              "local: how the model's matrix products multiply. fp32: exactly as the "
              "reference (sentence-transformers) does. bf16: inputs rounded to bfloat16 on "
              "Intel AMX (Sapphire Rapids or later), ~2.4x faster on the bench, vectors within "
              "cosine 0.9999 of fp32. auto: bf16 where the CPU has AMX, else fp32.")
      .String("openai-url", &settings->openai_url, "The embeddings endpoint (http or https).")
      .Secret("openai-api-key", &settings->openai_api_key,
              "API key, sent as 'Authorization: Bearer'; never logged. Empty: no header.")
      .String("openai-api-key-file", &settings->openai_api_key_file,
              "Read the API key from this file instead (e.g. a mounted Kubernetes Secret).")
      .Bool("openai-send-dimensions", &settings->openai_send_dimensions,
            "Send 'dimensions' = --dims (text-embedding-3 models can shorten their vectors; "
            "other servers may refuse the field).")
      .KeyValues("openai-header", &settings->openai_headers,
                 "Extra request header NAME=VALUE, repeatable (TRIBUTARY_OPENAI_HEADER__X_NAME "
                 "sets x-name).")
      .Duration("openai-timeout", &settings->openai_timeout,
                "Deadline for one request (connect, TLS, send, answer); a timeout is transient.")
      .String("openai-ca-file", &settings->openai_ca_file,
              "Extra trusted CA certificates (PEM) besides the system store.");
}

std::vector<std::string> ResolveEmbeddingSettings(EmbeddingSettings* settings,
                                                  bool read_model) {
  std::vector<std::string> errors;
  if (settings->backend == "hash") {
    if (settings->model.empty()) settings->model = kHashModel;
    if (settings->dims == 0) settings->dims = kDefaultHashDims;
    if (settings->model_version.empty()) {
      settings->model_version = fmt::format("v1-d{}", settings->dims);
    }
    return errors;
  }
  if (settings->backend == "local") {
    if (settings->model_dir.empty()) {
      errors.push_back("--model-dir (TRIBUTARY_MODEL_DIR): required with --backend=local (a "
                       "sentence-transformers model folder; deploy/local/install.sh installs "
                       "all-MiniLM-L6-v2 in .local/models)");
      return errors;
    }
    if (!read_model) return errors;
    auto model = LocalBackend::Describe(settings->model_dir);
    if (!model) {
      errors.push_back("--model-dir (TRIBUTARY_MODEL_DIR): " + model.error().message);
      return errors;
    }
    if (settings->dims != 0 && settings->dims != static_cast<int>(model->dims)) {
      errors.push_back(fmt::format("--dims (TRIBUTARY_DIMS): {}, but the model in {} makes "
                                   "vectors of {}",
                                   settings->dims, settings->model_dir, model->dims));
    }
    if (settings->precision == "bf16" && !local::amx::Available()) {
      errors.push_back("--precision (TRIBUTARY_PRECISION): bf16 needs a CPU with AMX-BF16 "
                       "(Intel Sapphire Rapids or later) and Linux >= 5.16, and this one has "
                       "none: use auto or fp32");
    }
    if (settings->model.empty()) settings->model = model->name;
    if (settings->model_version.empty()) settings->model_version = model->version;
    settings->dims = static_cast<int>(model->dims);
    return errors;
  }
  if (settings->model.empty()) {
    errors.push_back("--model (TRIBUTARY_MODEL): required with --backend=openai");
  }
  if (settings->dims == 0) {
    errors.push_back("--dims (TRIBUTARY_DIMS): required with --backend=openai (the size "
                     "the model answers with)");
  }
  if (auto endpoint = ParseEndpoint(settings->openai_url); !endpoint) {
    errors.push_back("--openai-url (TRIBUTARY_OPENAI_URL): " + endpoint.error());
  }
  if (!settings->openai_api_key_file.empty() && !std::ifstream(settings->openai_api_key_file)) {
    errors.push_back("--openai-api-key-file (TRIBUTARY_OPENAI_API_KEY_FILE): cannot read '" +
                     settings->openai_api_key_file + "'");
  }
  return errors;
}

std::unique_ptr<Backend> MakeBackend(const EmbeddingSettings& settings) {
  if (settings.backend == "openai") return std::make_unique<OpenAiBackend>(settings.OpenAi());
  if (settings.backend == "local") {
    const int threads =
        settings.threads > 0 ? settings.threads : static_cast<int>(AvailableCores());
    // Resolved (ResolveEmbeddingSettings): the weights were hashed once already.
    auto backend =
        LocalBackend::Load(settings.model_dir, threads, settings.Precision(), settings.Model());
    if (!backend) throw std::runtime_error(backend.error().message);
    return std::move(*backend);
  }
  return std::make_unique<HashBackend>(static_cast<std::uint32_t>(settings.dims));
}

}  // namespace tributary::embedder
