#pragma once
// tributary-parser's settings: every one a flag and a TRIBUTARY_* variable (see --help).
#include <string>

#include "common/admin/admin_server.hpp"
#include "common/codec/politeness_key.hpp"
#include "common/config/spec.hpp"
#include "common/kafka/settings.hpp"
#include "common/log/log.hpp"
#include "services/parser/limits.hpp"

namespace tributary::parser {

struct Config {
  kafka::Settings kafka;
  log::Settings log;
  admin::Settings admin{.address = "0.0.0.0", .port = 9402};
  std::string group_id = "tributary-parser";
  std::string group_instance_id;  // static membership when set (kafka::AddGroupInstanceId)
  std::string documents_topic;  // default <prefix>.documents
  std::string items_topic;      // default <prefix>.items
  std::string requests_topic;   // default <prefix>.fetch.requests
  std::string events_topic;     // default <prefix>.source.events
  std::string politeness_scope = "host";  // codec::AddPolitenessScope: keys its child requests
  int max_items = 10'000;
  int max_sitemap_urls = 50'000;
  int max_content_bytes = 1024 * 1024;
  int normalize_threads = 0;  // Limits::normalize_workers

  [[nodiscard]] std::string DocumentsTopic() const;
  [[nodiscard]] std::string ItemsTopic() const;
  [[nodiscard]] std::string RequestsTopic() const;
  [[nodiscard]] codec::PolitenessScope PolitenessScope() const;
  [[nodiscard]] std::string EventsTopic() const;
  [[nodiscard]] Limits ParserLimits() const;
};

// Applies the source; kHelp means --help was asked for and `help` holds the text.
config::Spec::Outcome Parse(const config::Source& source, Config* config, std::string* help);

}  // namespace tributary::parser
