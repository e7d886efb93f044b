#include "services/loader/config.hpp"

#include "common/codec/topics.hpp"

namespace tributary::loader {

std::string Config::ItemsTopic() const {
  return kafka.TopicOr(items_topic, embeddings ? topics::kEmbedded : topics::kItems);
}

std::string Config::EventsTopic() const {
  return kafka.TopicOr(events_topic, topics::kSourceEvents);
}

void AddSettings(config::Spec& spec, Config* config) {
  kafka::AddSettings(spec, &config->kafka);
  kafka::AddGroupInstanceId(spec, &config->group_instance_id);
  pg::AddSettings(spec, &config->pg);
  log::AddSettings(spec, &config->log);
  admin::AddSettings(spec, &config->admin);
  spec.Bool("embeddings", &config->embeddings,
            "Consume <prefix>.embedded (items with vectors). false: consume <prefix>.items and "
            "write no vectors.")
      .String("group-id", &config->group_id, "Kafka consumer group.")
      .String("items-topic", &config->items_topic,
              "Topic of items; default <prefix>.embedded (or <prefix>.items with "
              "--embeddings=false).")
      .String("events-topic", &config->events_topic,
              "Topic of fetch and parse outcomes; default <prefix>.source.events.")
      .Int("batch-size", &config->batch_size, 1, 100000,
           "Write a batch when it holds this many messages.")
      .Duration("batch-linger", &config->batch_linger,
                "Write a batch when its oldest message waited this long.")
      .Int("copy-min-rows", &config->copy_min_rows, 1, 1'000'000,
           "Send a batch's items and vectors by binary COPY into a stage table when it has at "
           "least this many to write; fewer go as one INSERT ... SELECT FROM unnest(...).")
      .Choice("ann-index", &config->ann_index, {"build", "defer"},
              "build: a new embedding model's HNSW index is created before its first vector is "
              "written, so search is indexed from the start. defer: no index is created (for "
              "bulk loads and backfills: maintaining HNSW row by row costs most of a batch's "
              "database time); build it afterwards with `tributary index build`, searches scan "
              "until then. An index that exists is maintained either way.");
}

config::Spec::Outcome Parse(const config::Source& source, Config* config, std::string* help) {
  config::Spec spec("tributary-loader",
                    "Loads items, embeddings and fetch outcomes from Kafka into PostgreSQL with "
                    "idempotent, monotonic upserts, one transaction per batch.");
  AddSettings(spec, config);
  const auto outcome = spec.Parse(source);
  if (help != nullptr) *help = spec.Help();
  return outcome;
}

}  // namespace tributary::loader
