#pragma once
// tributary-fetcher's settings: every one a flag and a TRIBUTARY_* variable (see --help).
#include <chrono>
#include <string>
#include <vector>

#include "common/admin/admin_server.hpp"
#include "common/config/spec.hpp"
#include "common/kafka/settings.hpp"
#include "common/log/log.hpp"
#include "services/fetcher/fetch_worker.hpp"

namespace tributary::fetcher {

struct Config {
  kafka::Settings kafka;
  log::Settings log;
  admin::Settings admin{.address = "0.0.0.0", .port = 9401};
  std::string group_id = "tributary-fetcher";
  std::string group_instance_id;  // static membership when set (kafka::AddGroupInstanceId)
  std::string requests_topic;   // default <prefix>.fetch.requests
  std::string documents_topic;  // default <prefix>.documents
  std::string events_topic;     // default <prefix>.source.events
  int max_in_flight = 1000;
  int max_in_flight_per_partition = 200;
  std::string user_agent = ClientSettings{}.user_agent;
  int max_body_bytes = 16 * 1024 * 1024;
  int max_header_bytes = 64 * 1024;
  int max_redirects = 5;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds read_timeout{std::chrono::seconds(15)};
  std::chrono::milliseconds fetch_timeout{std::chrono::seconds(60)};
  std::string tls_ca_file;
  int dns_threads = DnsSettings{}.threads;
  std::chrono::milliseconds dns_timeout = DnsSettings{}.timeout;
  std::chrono::milliseconds dns_cache_ttl = DnsSettings{}.cache_ttl;
  int per_host_concurrency = 4;
  std::string per_host_rate = "2/s";  // ParseRate: "2", "0.5/s", "30/min"
  std::string host_limits;            // ParseHostLimits: "example.com=0.5/s,2;..."
  std::string politeness_scope = "host";
  std::chrono::milliseconds max_crawl_delay{std::chrono::seconds(30)};
  std::chrono::milliseconds max_politeness_wait{std::chrono::minutes(10)};
  int per_host_burst = 4;
  int breaker_failures = 5;
  std::chrono::milliseconds breaker_cool_down{std::chrono::seconds(60)};
  std::chrono::milliseconds max_retry_after{std::chrono::hours(1)};
  bool robots = true;
  std::chrono::milliseconds robots_ttl{std::chrono::hours(1)};
  std::vector<std::string> allow_cidrs;
  int pool_idle_per_host = 8;
  std::chrono::milliseconds pool_idle_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(20)};

  [[nodiscard]] std::string RequestsTopic() const;
  [[nodiscard]] std::string DocumentsTopic() const;
  [[nodiscard]] std::string EventsTopic() const;
  // Throws config::ConfigError naming the setting for a bad network, rate or host limit.
  [[nodiscard]] WorkerSettings Worker() const;
};

// Applies the source; kHelp means --help was asked for and `help` holds the text.
config::Spec::Outcome Parse(const config::Source& source, Config* config, std::string* help);

}  // namespace tributary::fetcher
