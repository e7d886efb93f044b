#pragma once
// tributary-scheduler's settings: every one a flag and a TRIBUTARY_* variable (see --help).
#include <chrono>
#include <string>

#include "common/admin/admin_server.hpp"
#include "common/codec/politeness_key.hpp"
#include "common/config/spec.hpp"
#include "common/kafka/settings.hpp"
#include "common/log/log.hpp"
#include "common/pg/settings.hpp"

namespace tributary::scheduler {

struct Config {
  kafka::Settings kafka;
  pg::Settings pg;
  log::Settings log;
  admin::Settings admin{.address = "0.0.0.0", .port = 9405};
  std::string requests_topic;  // default <prefix>.fetch.requests
  std::chrono::milliseconds round_interval{1000};
  int batch = 500;
  std::chrono::milliseconds lease{std::chrono::minutes(10)};
  int failure_threshold = 5;
  std::chrono::milliseconds min_interval{std::chrono::minutes(1)};
  std::chrono::milliseconds max_interval{std::chrono::hours(24)};
  std::chrono::milliseconds max_backoff{std::chrono::hours(6)};
  int jitter_percent = 10;
  std::string politeness_scope = "host";  // codec::AddPolitenessScope

  [[nodiscard]] std::string RequestsTopic() const;
  [[nodiscard]] codec::PolitenessScope PolitenessScope() const;
};

// Applies the source; kHelp means --help was asked for and `help` holds the text.
config::Spec::Outcome Parse(const config::Source& source, Config* config, std::string* help);

}  // namespace tributary::scheduler
