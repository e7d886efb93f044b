#pragma once
// tributary-embedder's settings: every one a flag and a TRIBUTARY_* variable (see --help).
#include <chrono>
#include <map>
#include <string>

#include "common/admin/admin_server.hpp"
#include "common/config/source.hpp"
#include "common/config/spec.hpp"
#include "common/kafka/settings.hpp"
#include "common/log/log.hpp"
#include "common/pg/settings.hpp"
#include "services/embedder/core.hpp"
#include "services/embedder/embedding_settings.hpp"

namespace tributary::embedder {

struct Config {
  kafka::Settings kafka;
  pg::Settings pg;
  log::Settings log;
  admin::Settings admin{.address = "0.0.0.0", .port = 9403};
  std::string group_id = "tributary-embedder";
  std::string group_instance_id;  // static membership when set (kafka::AddGroupInstanceId)
  std::string items_topic;     // default <prefix>.items
  std::string embedded_topic;  // default <prefix>.embedded

  EmbeddingSettings embedding;  // backend, model and how to reach it (shared with search)

  int max_input_tokens = 8191;
  int max_input_bytes = 32 * 1024;
  int chunk_tokens = 256;  // the passage window (ChunkSettings)
  int chunk_overlap = 32;
  int max_chunks = 32;
  int batch_size = 64;
  int batch_tokens = 200'000;
  std::chrono::milliseconds batch_linger{50};
  int concurrency = 4;
  int cache_mb = 16;
  bool pg_cache = true;
  std::chrono::milliseconds pg_cache_timeout{std::chrono::seconds(2)};
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{std::chrono::seconds(30)};
  std::chrono::milliseconds quota_retry{std::chrono::seconds(60)};
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(20)};

  [[nodiscard]] std::string ItemsTopic() const;
  [[nodiscard]] std::string EmbeddedTopic() const;
  [[nodiscard]] CoreSettings Core() const;
  // How many vectors of this model fit in --cache-mb.
  [[nodiscard]] std::size_t LruEntries() const;
};

// Applies the source and validates; throws config::ConfigError naming each bad setting.
// kHelp: --help was asked for and `help` holds the text.
config::Spec::Outcome Parse(const config::Source& source, Config* config, std::string* help);

}  // namespace tributary::embedder
