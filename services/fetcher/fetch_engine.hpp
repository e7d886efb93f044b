#pragma once
// One fetch request end to end on the io thread: robots.txt (when the source asks for it, for
// every hop of the fetch, cached per origin), per-host politeness and the HTTP client. Owns the
// client, the host gate and the robots cache; single-threaded like them.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/base/at_most_every.hpp"
#include "services/fetcher/fetcher_metrics.hpp"
#include "services/fetcher/host_gate.hpp"
#include "services/fetcher/http_client.hpp"
#include "services/fetcher/robots.hpp"
#include "tributary/v1/fetch.pb.h"

namespace tributary::fetcher {

struct EngineSettings {
  ClientSettings client;
  GateSettings gate;
  std::vector<Cidr> allow;
  bool robots = true;  // honour SourceOptions.respect_robots
  std::chrono::milliseconds robots_ttl{std::chrono::hours(1)};
  std::chrono::milliseconds robots_error_ttl{std::chrono::minutes(5)};
  // A robots.txt Crawl-delay slows its host down to one request per delay, up to this long:
  // a site asking for an hour between requests would otherwise never be polled on time.
  std::chrono::milliseconds max_crawl_delay{std::chrono::seconds(30)};
};

class FetchEngine {
 public:
  FetchEngine(boost::asio::any_io_executor executor, EngineSettings settings,
              FetcherMetrics* metrics);

  boost::asio::awaitable<FetchResponse> Fetch(const v1::FetchRequest& request);

  // Shutdown: no more wake-ups between fetches, idle connections closed.
  void Close();
  [[nodiscard]] HostGate& gate() { return gate_; }
  [[nodiscard]] HttpClient& client() { return client_; }

 private:
  struct RobotsEntry {
    RobotsRules rules;
    std::chrono::steady_clock::time_point expires{};
    bool loading = false;
  };
  boost::asio::awaitable<RobotsRules> Robots(const Target& target);
  boost::asio::awaitable<Result<void>> RobotsAllow(const Target& target);
  void ForgetExpiredRobots(std::chrono::steady_clock::time_point now);

  boost::asio::any_io_executor executor_;
  EngineSettings settings_;
  HostGate gate_;
  HttpClient client_;
  std::string product_token_;
  std::unordered_map<std::string, RobotsEntry> robots_;
  AtMostEvery robots_sweep_{std::chrono::minutes(1)};
};

}  // namespace tributary::fetcher
