#pragma once
// Name resolution for the fetcher. Asio's resolver runs getaddrinfo on one background thread, so
// a single name whose DNS server never answers holds up every lookup queued behind it, and a
// fetch cannot stop waiting at its deadline. This resolver runs lookups on a few threads of its
// own; a waiting fetch gives up at its timeout (the lookup finishes in the background and still
// fills the cache); concurrent fetches of one name share one lookup; and answers are cached for
// a while (getaddrinfo reports no TTL, and a fleet of fetches to one host would otherwise ask
// the system resolver once per new connection).
//
// Resolve and Close run on the io thread; lookups run on the resolver's threads and hand their
// answers back through the io executor until Close.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/base/result.hpp"

namespace tributary::fetcher {

struct DnsSettings {
  int threads = 8;  // lookups in progress at once
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};  // per fetch, within its deadline
  std::chrono::milliseconds cache_ttl{std::chrono::seconds(60)};  // 0: no cache
  std::size_t max_cached = 10'000;
};

using Addresses = std::vector<boost::asio::ip::address>;

// A blocking lookup of one name. Errors are class "dns".
using LookupFunction = std::function<Result<Addresses>(const std::string& host)>;

// getaddrinfo with the system's configuration (/etc/hosts, resolv.conf search domains, ...),
// IPv4 and IPv6 as configured on this host.
Result<Addresses> SystemLookup(const std::string& host);

class DnsResolver {
 public:
  DnsResolver(boost::asio::any_io_executor executor, DnsSettings settings,
              LookupFunction lookup = SystemLookup);
  ~DnsResolver();
  DnsResolver(const DnsResolver&) = delete;
  DnsResolver& operator=(const DnsResolver&) = delete;

  // The addresses of `host`, or class "dns" when it has none, the lookup fails, or no answer
  // came within the timeout (and before `deadline`).
  boost::asio::awaitable<Result<Addresses>> Resolve(
      const std::string& host, std::chrono::steady_clock::time_point deadline);

  // No lookup hands an answer back after this (the io_context may go next). Threads still
  // inside getaddrinfo finish it and exit; nothing waits for them.
  void Close();

  [[nodiscard]] std::size_t CachedCount() const;

  struct State;  // dns_resolver.cpp

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tributary::fetcher
