#include "services/embedder/config.hpp"

#include <fmt/format.h>

#include "common/codec/topics.hpp"

namespace tributary::embedder {

std::string Config::ItemsTopic() const { return kafka.TopicOr(items_topic, topics::kItems); }

std::string Config::EmbeddedTopic() const {
  return kafka.TopicOr(embedded_topic, topics::kEmbedded);
}

CoreSettings Config::Core() const {
  CoreSettings settings;
  settings.output_topic = EmbeddedTopic();
  settings.model = embedding.Model();
  settings.text = {.max_tokens = static_cast<std::size_t>(max_input_tokens),
                   .max_bytes = static_cast<std::size_t>(max_input_bytes)};
  settings.chunks = {.tokens = static_cast<std::size_t>(chunk_tokens),
                     .overlap = static_cast<std::size_t>(chunk_overlap),
                     .max_chunks = static_cast<std::size_t>(max_chunks)};
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
  const std::size_t entry_bytes = static_cast<std::size_t>(embedding.dims) * sizeof(float) +
                                  kOverheadBytes;
  return static_cast<std::size_t>(cache_mb) * 1024 * 1024 / entry_bytes;
}

config::Spec::Outcome Parse(const config::Source& source, Config* config, std::string* help) {
  config::Spec spec(
      "tributary-embedder",
      "Reads items from <prefix>.items, embeds each passage of their text (with the title; "
      "--chunk-tokens) with the configured backend, and produces EmbeddedItems (item, model, "
      "passages and their vectors; the item's vector is its first passage's) to "
      "<prefix>.embedded, keyed as the item. Vectors already made for the same text and model "
      "come from an in-process LRU, then from item_chunks/item_embeddings in PostgreSQL (read "
      "only), never from the backend again. Offsets are stored only after the EmbeddedItem is "
      "acknowledged.");
  kafka::AddSettings(spec, &config->kafka);
  kafka::AddGroupInstanceId(spec, &config->group_instance_id);
  AddEmbeddingSettings(spec, &config->embedding);
  pg::AddSettings(spec, &config->pg);
  log::AddSettings(spec, &config->log);
  admin::AddSettings(spec, &config->admin);
  spec.String("group-id", &config->group_id, "Kafka consumer group.")
      .String("items-topic", &config->items_topic, "Topic to consume; default <prefix>.items.")
      .String("embedded-topic", &config->embedded_topic,
              "Topic for EmbeddedItems; default <prefix>.embedded.")
      .Choice("distance", &config->embedding.distance, {"cosine", "l2", "inner_product"},
              "How the model's vectors compare; registered with the model by the loader, it "
              "picks the HNSW operator class and the operator search ranks with. A model "
              "registered with another distance stops the stage.")
      .Int("max-input-tokens", &config->max_input_tokens, 1, 1'000'000,
           "The model's input limit in tokens (approximated: 4 ASCII bytes or 1 other "
           "character per token); longer texts are cut.")
      .Int("max-input-bytes", &config->max_input_bytes, 16, 16 * 1024 * 1024,
           "Exact byte limit of one input; cut on a UTF-8 character boundary.")
      .Int("chunk-tokens", &config->chunk_tokens, 16, 100'000,
           "Long texts are embedded in passages of at most this many tokens (the model's own "
           "with --backend local, else approximated), the title and the model's special tokens "
           "included, each ending at a paragraph or sentence end where one keeps it half "
           "full; one vector per passage (item_chunks). A text this short is one passage.")
      .Int("chunk-overlap", &config->chunk_overlap, 0, 50'000,
           "Tokens of whole sentences (of words, inside a long sentence) that consecutive "
           "passages share, at most: a passage still reads in context.")
      .Int("max-chunks", &config->max_chunks, 1, 10'000,
           "Passages embedded per item, at most; the rest of a longer text is not "
           "(tributary_embedder_chunks_dropped_total).")
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

  // A --check-config run may happen where the image's model folder is not (scripts/
  // check_chart.sh checks rendered settings with the host's binaries): it is read at start.
  auto errors = ResolveEmbeddingSettings(&config->embedding,
                                         outcome != config::Spec::Outcome::kCheck);
  if (config->chunk_overlap * 2 > config->chunk_tokens) {
    errors.push_back(fmt::format(
        "--chunk-overlap (TRIBUTARY_CHUNK_OVERLAP) = {} is more than half of --chunk-tokens "
        "({}): passages would mostly repeat each other",
        config->chunk_overlap, config->chunk_tokens));
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
