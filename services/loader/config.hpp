#pragma once
#include <chrono>
#include <string>

#include "common/admin/admin_server.hpp"
#include "common/config/source.hpp"
#include "common/config/spec.hpp"
#include "common/kafka/settings.hpp"
#include "common/log/log.hpp"
#include "common/pg/settings.hpp"

namespace tributary::loader {

struct Config {
  kafka::Settings kafka;
  pg::Settings pg;
  log::Settings log;
  admin::Settings admin{.address = "0.0.0.0", .port = 9404};
  bool embeddings = true;
  std::string group_id = "tributary-loader";
  std::string group_instance_id;  // static membership when set (kafka::AddGroupInstanceId)
  std::string items_topic;   // empty: <prefix>.embedded, or <prefix>.items without embeddings
  std::string events_topic;  // empty: <prefix>.source.events
  int batch_size = 1000;
  std::chrono::milliseconds batch_linger{200};
  int copy_min_rows = 32;  // PgStore::kDefaultCopyMinRows (measured crossover, README)
  std::string ann_index = "build";  // or "defer" (PgStore's AnnIndex)

  [[nodiscard]] std::string ItemsTopic() const;
  [[nodiscard]] std::string EventsTopic() const;
};

// Declares every setting of the loader on `spec`, bound to `config`.
void AddSettings(config::Spec& spec, Config* config);

// Parses and validates; throws config::ConfigError naming each bad setting. kHelp: print Help().
config::Spec::Outcome Parse(const config::Source& source, Config* config, std::string* help);

}  // namespace tributary::loader
