#include "services/embedder/config.hpp"

#include "common/codec/topics.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "common/config/secrets.hpp"

namespace tributary::embedder {
namespace {

constexpr int kDefaultHashDims = 256;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string Config::ItemsTopic() const { return kafka.TopicOr(items_topic, topics::kItems); }

std::string Config::EmbeddedTopic() const {
  return kafka.TopicOr(embedded_topic, topics::kEmbedded);
}

ModelSpec Config::Model() const {
  return {.name = model, .version = model_version, .dims = static_cast<std::uint32_t>(dims),
          .distance = distance};
}

CoreSettings Config::Core() const {
  CoreSettings settings;
  settings.output_topic = EmbeddedTopic();
  settings.model = Model();
  settings.text = {.max_tokens = static_cast<std::size_t>(max_input_tokens),
                   .max_bytes = static_cast<std::size_t>(max_input_bytes)};
  settings.batch = {.max_items = static_cast<std::size_t>(batch_size),
                    .max_tokens = static_cast<std::size_t>(batch_tokens),
                    .linger = batch_linger};
  settings.concurrency = concurrency;
  settings.lru_entries = LruEntries();
  settings.retry = {.initial = backoff_initial, .max = backoff_max, .quota_retry = quota_retry};
  return settings;
}

std::size_t Config::LruEntries() const {
  // A vector's floats plus its key (model + 32-byte hash) and the list and map nodes around it.
  constexpr std::size_t kOverheadBytes = 160;
  const std::size_t entry_bytes = static_cast<std::size_t>(Model().dims) * sizeof(float) +
                                  kOverheadBytes;
  return static_cast<std::size_t>(cache_mb) * 1024 * 1024 / entry_bytes;
}

OpenAiSettings Config::OpenAi() const {
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

config::Spec::Outcome Parse(const config::Source& source, Config* config, std::string* help) {
  config::Spec spec(
      "tributary-embedder",
      "Reads items from <prefix>.items, embeds title + summary/content with the configured "
      "backend, and produces EmbeddedItems (item, model, vector) to <prefix>.embedded, keyed "
      "as the item. Vectors already made for the same (content_hash, model) come from an "
      "in-process LRU, then from item_embeddings in PostgreSQL (read only), never from the "
      "backend again. Offsets are stored only after the EmbeddedItem is acknowledged.");
  kafka::AddSettings(spec, &config->kafka);
  kafka::AddGroupInstanceId(spec, &config->group_instance_id);
  pg::AddSettings(spec, &config->pg);
  log::AddSettings(spec, &config->log);
  admin::AddSettings(spec, &config->admin);
  spec.String("group-id", &config->group_id, "Kafka consumer group.")
      .String("items-topic", &config->items_topic, "Topic to consume; default <prefix>.items.")
      .String("embedded-topic", &config->embedded_topic,
              "Topic for EmbeddedItems; default <prefix>.embedded.")
      .Choice("backend", &config->backend, {"hash", "openai"},
              "hash: built in, deterministic feature hashing of words and character n-grams "
              "(LEXICAL similarity only, no model, no network; the local default). openai: any "
              "OpenAI-compatible POST /v1/embeddings (OpenAI, Ollama, vLLM, "
              "text-embeddings-inference, LocalAI).")
      .String("model", &config->model,
              "Model name, sent to the backend and recorded in embedding_models; default "
              "tributary-hash for the hash backend, required for openai.")
      .String("model-version", &config->model_version,
              "Model version recorded in embedding_models; a new version is a new model, "
              "side by side. Default for hash: v1-d<dims>.")
      .Int("dims", &config->dims, 0, 16000,
           "Vector dimensions; every answer is checked against it and against the registered "
           "model. Default 256 for hash; required for openai.")
      .Choice("distance", &config->distance, {"cosine", "l2", "inner_product"},
              "How the model's vectors compare; registered with the model by the loader, it "
              "picks the HNSW operator class and the operator search ranks with. A model "
              "registered with another distance stops the stage.")
      .String("openai-url", &config->openai_url, "The embeddings endpoint (http or https).")
      .Secret("openai-api-key", &config->openai_api_key,
              "API key, sent as 'Authorization: Bearer'; never logged. Empty: no header.")
      .String("openai-api-key-file", &config->openai_api_key_file,
              "Read the API key from this file instead (e.g. a mounted Kubernetes Secret).")
      .Bool("openai-send-dimensions", &config->openai_send_dimensions,
            "Send 'dimensions' = --dims (text-embedding-3 models can shorten their vectors; "
            "other servers may refuse the field).")
      .KeyValues("openai-header", &config->openai_headers,
                 "Extra request header NAME=VALUE, repeatable (TRIBUTARY_OPENAI_HEADER__X_NAME "
                 "sets x-name).")
      .Duration("openai-timeout", &config->openai_timeout,
                "Deadline for one request (connect, TLS, send, answer); a timeout is transient.")
      .String("openai-ca-file", &config->openai_ca_file,
              "Extra trusted CA certificates (PEM) besides the system store.")
      .Int("max-input-tokens", &config->max_input_tokens, 1, 1'000'000,
           "The model's input limit in tokens (approximated: 4 ASCII bytes or 1 other "
           "character per token); longer texts are cut.")
      .Int("max-input-bytes", &config->max_input_bytes, 16, 16 * 1024 * 1024,
           "Exact byte limit of one input; cut on a UTF-8 character boundary.")
      .Int("batch-size", &config->batch_size, 1, 2048, "Inputs per backend request, at most.")
      .Int("batch-tokens", &config->batch_tokens, 1, 10'000'000,
           "Approximate tokens per backend request, at most (must be >= --max-input-tokens).")
      .Duration("batch-linger", &config->batch_linger,
                "Send a partial batch once its oldest input waited this long.")
      .Int("concurrency", &config->concurrency, 1, 256, "Backend requests in flight at once.")
      .Int("cache-mb", &config->cache_mb, 0, 65'536,
           "Memory for the in-process LRU of recent vectors, in MiB (0 disables it); how many "
           "vectors that is depends on --dims.")
      .Bool("pg-cache", &config->pg_cache,
            "Look vectors up in item_embeddings (read only) before calling the backend, and "
            "check the model against embedding_models.")
      .Duration("pg-cache-timeout", &config->pg_cache_timeout,
                "How long a cache read may retry a lost connection before the batch goes to the "
                "backend without it.")
      .Duration("backoff-initial", &config->backoff_initial,
                "First backoff step after a transient backend failure (full jitter, doubling).")
      .Duration("backoff-max", &config->backoff_max, "Longest backoff step.")
      .Duration("quota-retry", &config->quota_retry,
                "Wait between probes while the backend reports an exhausted quota.")
      .Duration("shutdown-grace", &config->shutdown_grace,
                "On SIGTERM, how long in-flight batches may take to finish before they are "
                "abandoned (redelivered to the next owner).");
  const auto outcome = spec.Parse(source);
  if (help != nullptr) *help = spec.Help();
  if (outcome == config::Spec::Outcome::kHelp) return outcome;

  std::vector<std::string> errors;
  if (config->backend == "hash") {
    if (config->model.empty()) config->model = "tributary-hash";
    if (config->dims == 0) config->dims = kDefaultHashDims;
    if (config->model_version.empty()) config->model_version = fmt::format("v1-d{}", config->dims);
  } else {
    if (config->model.empty()) {
      errors.push_back("--model (TRIBUTARY_MODEL): required with --backend=openai");
    }
    if (config->dims == 0) {
      errors.push_back("--dims (TRIBUTARY_DIMS): required with --backend=openai (the size "
                       "the model answers with)");
    }
    if (auto endpoint = ParseEndpoint(config->openai_url); !endpoint) {
      errors.push_back("--openai-url (TRIBUTARY_OPENAI_URL): " + endpoint.error());
    }
    if (!config->openai_api_key_file.empty() && !std::ifstream(config->openai_api_key_file)) {
      errors.push_back("--openai-api-key-file (TRIBUTARY_OPENAI_API_KEY_FILE): cannot read '" +
                       config->openai_api_key_file + "'");
    }
  }
  if (config->batch_tokens < config->max_input_tokens) {
    errors.push_back(fmt::format(
        "--batch-tokens (TRIBUTARY_BATCH_TOKENS) = {} is below --max-input-tokens ({})",
        config->batch_tokens, config->max_input_tokens));
  }
  if (!errors.empty()) {
    std::string message = "tributary-embedder: invalid settings:";
    for (const auto& e : errors) message += "\n  " + e;
    throw config::ConfigError(message);
  }
  return outcome;
}

}  // namespace tributary::embedder
