#include "services/fetcher/config.hpp"

#include "common/codec/politeness_key.hpp"
#include "common/codec/topics.hpp"
#include "services/fetcher/host_limits.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

namespace tributary::fetcher {
namespace {

std::string CidrProblem(const std::string& text) {
  return fmt::format("--allow-cidrs ({}) = '{}': expected a network like 10.0.0.0/8 or fd00::/8",
                     config::EnvName("allow-cidrs"), text);
}

std::string RateProblem(const std::string& text, const std::string& why) {
  return fmt::format("--per-host-rate ({}) = '{}': {}", config::EnvName("per-host-rate"), text,
                     why);
}

std::string HostLimitProblem(const std::string& why) {
  return fmt::format("--host-limit ({}): {}", config::EnvName("host-limit"), why);
}

// A zero timeout would fail every fetch at once.
constexpr std::chrono::milliseconds kShortestTimeout{1};

}  // namespace

std::string Config::RequestsTopic() const {
  return kafka.TopicOr(requests_topic, topics::kFetchRequests);
}
std::string Config::DocumentsTopic() const {
  return kafka.TopicOr(documents_topic, topics::kDocuments);
}
std::string Config::EventsTopic() const {
  return kafka.TopicOr(events_topic, topics::kSourceEvents);
}

WorkerSettings Config::Worker() const {
  WorkerSettings worker;
  worker.documents_topic = DocumentsTopic();
  worker.events_topic = EventsTopic();
  auto& client = worker.engine.client;
  client.user_agent = user_agent;
  client.max_body_bytes = static_cast<std::size_t>(max_body_bytes);
  client.max_header_bytes = static_cast<std::size_t>(max_header_bytes);
  client.max_redirects = max_redirects;
  client.connect_timeout = connect_timeout;
  client.read_timeout = read_timeout;
  client.total_timeout = fetch_timeout;
  client.max_politeness_wait = max_politeness_wait;
  client.tls_ca_file = tls_ca_file;
  client.dns.threads = dns_threads;
  client.dns.timeout = dns_timeout;
  client.dns.cache_ttl = dns_cache_ttl;
  client.max_idle_per_origin = static_cast<std::size_t>(pool_idle_per_host);
  client.idle_timeout = pool_idle_timeout;
  client.politeness_scope =
      codec::ParsePolitenessScope(politeness_scope).value_or(codec::PolitenessScope::kHost);
  auto& gate = worker.engine.gate;
  gate.max_concurrency = per_host_concurrency;
  const auto rate = ParseRate(per_host_rate);
  if (!rate) throw config::ConfigError(RateProblem(per_host_rate, rate.error().message));
  gate.rate = *rate;
  gate.burst = per_host_burst;
  auto limits = ParseHostLimits(host_limits);
  if (!limits) throw config::ConfigError(HostLimitProblem(limits.error().message));
  gate.host_limits = std::move(*limits);
  worker.engine.max_crawl_delay = max_crawl_delay;
  gate.breaker_failures = breaker_failures;
  gate.breaker_cool_down = breaker_cool_down;
  gate.max_retry_after = max_retry_after;
  worker.engine.robots = robots;
  worker.engine.robots_ttl = robots_ttl;
  for (const auto& text : allow_cidrs) {
    auto cidr = ParseCidr(text);
    if (!cidr) throw config::ConfigError(CidrProblem(text));
    worker.engine.allow.push_back(*cidr);
  }
  return worker;
}

config::Spec::Outcome Parse(const config::Source& source, Config* config, std::string* help) {
  config::Spec spec(
      "tributary-fetcher",
      "Reads FetchRequests from <prefix>.fetch.requests, fetches them over HTTP(S) with many "
      "fetches in flight, and produces a FetchedDocument to <prefix>.documents for every 200 and "
      "a SourceEvent (status, validators, bytes, latency, error class) to <prefix>.source.events "
      "for every request. Refuses loopback, private, link-local, metadata and other "
      "special-purpose addresses unless --allow-cidrs lists them. Offsets are stored only after "
      "a request's records are acknowledged.");
  kafka::AddSettings(spec, &config->kafka);
  kafka::AddGroupInstanceId(spec, &config->group_instance_id);
  log::AddSettings(spec, &config->log);
  admin::AddSettings(spec, &config->admin);
  spec.String("group-id", &config->group_id, "Kafka consumer group.")
      .String("requests-topic", &config->requests_topic,
              "Topic to consume; default <prefix>.fetch.requests.")
      .String("documents-topic", &config->documents_topic,
              "Topic for fetched documents; default <prefix>.documents.")
      .String("events-topic", &config->events_topic,
              "Topic for fetch outcomes; default <prefix>.source.events.")
      .Int("max-in-flight", &config->max_in_flight, 1, 100'000,
           "Fetches in progress at once in this process; partitions pause at the limit.")
      .Int("max-in-flight-per-partition", &config->max_in_flight_per_partition, 1, 100'000,
           "Fetches in progress at once per consumed partition.")
      .String("user-agent", &config->user_agent,
              "User-Agent header; its first word is the product token matched in robots.txt.")
      .Int("max-body-bytes", &config->max_body_bytes, 1024, 64 * 1024 * 1024,
           "Largest body kept, as received and after decompression (must fit the documents "
           "topic's max.message.bytes).")
      .Int("max-header-bytes", &config->max_header_bytes, 1024, 1024 * 1024,
           "Largest response header accepted.")
      .Int("max-redirects", &config->max_redirects, 0, 20, "Redirects followed per fetch.")
      .Duration("connect-timeout", &config->connect_timeout, kShortestTimeout,
                "Time allowed for TCP connect and, separately, the TLS handshake.")
      .Duration("read-timeout", &config->read_timeout, kShortestTimeout,
                "Longest silence while sending or waiting for response bytes.")
      .Duration("fetch-timeout", &config->fetch_timeout, kShortestTimeout,
                "Total deadline of one fetch from its host's first turn on, redirects and their "
                "hosts' turns included (the wait for the first turn: --max-politeness-wait).")
      .String("tls-ca-file", &config->tls_ca_file,
              "Extra trusted CA certificates (PEM) besides the system store.")
      .Int("dns-threads", &config->dns_threads, 1, 256,
           "Host-name lookups in progress at once (getaddrinfo on threads of its own, so one "
           "unanswered name does not hold up the others).")
      .Duration("dns-timeout", &config->dns_timeout, kShortestTimeout,
                "How long a fetch waits for its host name's addresses (within --fetch-timeout).")
      .Duration("dns-cache-ttl", &config->dns_cache_ttl,
                "How long resolved addresses are reused for new connections; 0 asks the system "
                "resolver every time.")
      .Int("per-host-concurrency", &config->per_host_concurrency, 1, 10'000,
           "Requests in flight at once to one host (or registrable domain, see "
           "--politeness-scope), across all its sources and all the fleet: fetch.requests is "
           "keyed by it, so one replica owns a host.")
      .String("per-host-rate", &config->per_host_rate,
              "Requests to one host per second (token bucket), also below one: 2, 0.5/s, "
              "30/min, 120/h. robots.txt's Crawl-delay and the adaptive slow-down (a 429 or "
              "503 halves it, slow answers lower it, normal ones give it back) only lower it.")
      .Int("per-host-burst", &config->per_host_burst, 1, 100'000,
           "Requests a host at the default limit may receive at once after being idle (bucket "
           "size). A host new to this replica starts with one, so a rebalance never bursts.")
      .String("host-limit", &config->host_limits,
              "Per-host overrides, ';'-separated PATTERN=RATE[,CONCURRENCY], e.g. "
              "'example.com=0.5/s,2;cdn.example.net=20/s': a pattern matches that host and "
              "every host under it, the longest wins; overridden hosts get no burst.")
      .Duration("max-politeness-wait", &config->max_politeness_wait,
                "How long a fetch may wait for its host's turn (rate, concurrency, Crawl-delay) "
                "before it fails with 'timeout'; --fetch-timeout starts when the turn comes, so "
                "a host with a long queue is paced, not timed out.")
      .Duration("max-crawl-delay", &config->max_crawl_delay,
                "Longest robots.txt Crawl-delay honoured (sources with respect_robots); a "
                "longer one is applied as this.")
      .Int("breaker-failures", &config->breaker_failures, 1, 1000,
           "Consecutive failures (network errors, 5xx, 429) that open a host's circuit "
           "breaker.")
      .Duration("breaker-cool-down", &config->breaker_cool_down,
                "How long an open breaker refuses before letting one probe through.")
      .Duration("max-retry-after", &config->max_retry_after,
                "Longest Retry-After honoured (a host asking for more is delayed this long).")
      .Bool("robots", &config->robots,
            "Honour robots.txt for sources whose options ask for it (respect_robots).")
      .Duration("robots-ttl", &config->robots_ttl, "How long a fetched robots.txt is cached.")
      .List("allow-cidrs", &config->allow_cidrs,
            "Networks the SSRF guard lets through although special-purpose, e.g. "
            "127.0.0.0/8 for tests or 10.0.0.0/8 for a private deployment. Empty: none.")
      .Int("pool-idle-per-host", &config->pool_idle_per_host, 0, 1000,
           "Idle keep-alive connections kept per host.")
      .Duration("pool-idle-timeout", &config->pool_idle_timeout,
                "Idle keep-alive connections older than this are not reused.")
      .Duration("shutdown-grace", &config->shutdown_grace,
                "On SIGTERM, how long in-flight fetches may finish before they are abandoned "
                "(and redelivered).")
      .Check([config] {
        std::vector<std::string> problems;
        for (const auto& text : config->allow_cidrs) {
          if (!ParseCidr(text)) problems.push_back(CidrProblem(text));
        }
        if (const auto rate = ParseRate(config->per_host_rate); !rate) {
          problems.push_back(RateProblem(config->per_host_rate, rate.error().message));
        }
        if (const auto limits = ParseHostLimits(config->host_limits); !limits) {
          problems.push_back(HostLimitProblem(limits.error().message));
        }
        return problems;
      });
  codec::AddPolitenessScope(spec, &config->politeness_scope);
  const auto outcome = spec.Parse(source);
  if (help != nullptr) *help = spec.Help();
  return outcome;
}

}  // namespace tributary::fetcher
