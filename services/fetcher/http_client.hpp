#pragma once
// The fetcher's HTTP/1.1 client (Boost.Beast over Asio C++20 coroutines): many fetches in flight
// on one io thread, keep-alive connections per origin, HTTPS verified against the system trust
// store (or a given CA file) with SNI and host-name checks, conditional GET, gzip/deflate with a
// decompressed-size cap, header and body caps, a redirect limit with loop detection, connect and
// per-read timeouts plus a total deadline per fetch, and the SSRF guard on every address it
// resolves and every peer it connects to, after every redirect.
// Not thread-safe: construct it and call Fetch on the io_context's (single) thread.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "common/codec/politeness_key.hpp"
#include "common/base/result.hpp"
#include "services/fetcher/address_policy.hpp"
#include "services/fetcher/connection_pool.hpp"
#include "services/fetcher/dns_resolver.hpp"
#include "services/fetcher/fetch_response.hpp"
#include "services/fetcher/host_gate.hpp"
#include "services/fetcher/http_rules.hpp"
#include "services/fetcher/http_wire.hpp"

namespace tributary::fetcher {

struct ClientSettings {
  std::string user_agent = "tributary-fetcher/0.1 (+https://github.com/tributary/tributary)";
  std::size_t max_body_bytes = 16 * 1024 * 1024;  // after decompression, and as received
  std::size_t max_header_bytes = 64 * 1024;
  int max_redirects = 5;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds read_timeout{std::chrono::seconds(15)};   // per read
  std::chrono::milliseconds total_timeout{std::chrono::seconds(60)};  // whole fetch
  // How long a fetch may wait for its host's turn (rate, concurrency) before it fails with
  // "timeout"; the total timeout starts once the turn came.
  std::chrono::milliseconds max_politeness_wait{std::chrono::minutes(10)};
  std::string tls_ca_file;  // extra trust anchors (PEM); the system store is always used
  std::size_t max_idle_per_origin = 8;
  std::size_t max_idle_total = 2048;
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  DnsSettings dns;
  // What per-host politeness counts in (the gate's key): the URL's host or registrable domain,
  // the same as fetch.requests is keyed by (common/codec/politeness_key.hpp).
  codec::PolitenessScope politeness_scope = codec::PolitenessScope::kHost;
};

struct FetchSpec {
  std::string url;
  std::string etag;           // If-None-Match
  std::string last_modified;  // If-Modified-Since
  std::size_t max_body_bytes = 0;  // 0: the client's setting
  // Asked before every request of the fetch, each redirect hop included (robots.txt); an error
  // ends the fetch with its class. Empty: nothing to ask.
  std::function<boost::asio::awaitable<Result<void>>(const Target&)> before_each_request;
};

// Called for every address the guard refuses (metrics), with the refusal's class.
class ClientObserver {
 public:
  virtual ~ClientObserver() = default;
  virtual void OnRefused(AddressClass cls) = 0;
};

class HttpClient {
 public:
  // `gate` (optional) applies per-host politeness to every request, redirects included.
  HttpClient(boost::asio::any_io_executor executor, ClientSettings settings, AddressPolicy policy,
             HostGate* gate = nullptr, ClientObserver* observer = nullptr);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Never throws for anything a server or a URL can do; the outcome says what happened.
  boost::asio::awaitable<FetchResponse> Fetch(FetchSpec spec);

  // Shutdown: idle connections closed, no DNS answer handed back any more.
  void Close();

  [[nodiscard]] const ClientSettings& settings() const { return settings_; }
  [[nodiscard]] ConnectionPool& pool() { return pool_; }

 private:
  boost::asio::awaitable<Result<HttpResponse>> Exchange(
      const Target& target, const FetchSpec& spec, bool conditional, std::size_t max_body,
      std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<Result<std::unique_ptr<Connection>>> Connect(
      const Target& target, std::chrono::steady_clock::time_point deadline);
  Result<void> CheckAddress(const boost::asio::ip::address& address);

  boost::asio::any_io_executor executor_;
  ClientSettings settings_;
  AddressPolicy policy_;
  HostGate* gate_;
  ClientObserver* observer_;
  boost::asio::ssl::context tls_context_;
  ConnectionPool pool_;
  DnsResolver resolver_;
};

}  // namespace tributary::fetcher
