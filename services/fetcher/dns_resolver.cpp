#include "services/fetcher/dns_resolver.hpp"

#include <fmt/format.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace tributary::fetcher {
namespace {

namespace net = boost::asio;
using SteadyClock = std::chrono::steady_clock;

tl::unexpected<Error> DnsFailure(std::string message) {
  return Fail(ErrorKind::kPermanent, "dns", std::move(message));
}

// One name being looked up, and the fetches waiting for it (io thread only).
struct Lookup {
  std::optional<Result<Addresses>> result;
  std::list<net::steady_timer*> waiters;
};

// Keeps a waiting fetch's timer listed while its frame lives, however that frame ends.
class WaiterListing {
 public:
  WaiterListing(Lookup& lookup, net::steady_timer& timer)
      : lookup_(lookup), at_(lookup.waiters.insert(lookup.waiters.end(), &timer)) {}
  ~WaiterListing() { lookup_.waiters.erase(at_); }
  WaiterListing(const WaiterListing&) = delete;
  WaiterListing& operator=(const WaiterListing&) = delete;

 private:
  Lookup& lookup_;
  std::list<net::steady_timer*>::iterator at_;
};

}  // namespace

Result<Addresses> SystemLookup(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0) {
    return DnsFailure(fmt::format("cannot resolve {}: {}", host,
                                  rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc)));
  }
  Addresses addresses;
  for (const addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    net::ip::tcp::endpoint endpoint;
    if (entry->ai_addrlen > endpoint.capacity()) continue;
    std::memcpy(endpoint.data(), entry->ai_addr, entry->ai_addrlen);
    const auto address = endpoint.address();
    if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
      addresses.push_back(address);
    }
  }
  ::freeaddrinfo(found);
  if (addresses.empty()) return DnsFailure(fmt::format("{} has no address", host));
  return addresses;
}

struct DnsResolver::State : std::enable_shared_from_this<DnsResolver::State> {
  State(net::any_io_executor io, DnsSettings chosen, LookupFunction function)
      : executor(std::move(io)), settings(chosen), lookup(std::move(function)) {}

  // Lookup threads: take a name, look it up, hand the answer to the io thread.
  void Work() {
    while (true) {
      std::string host;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [this] { return closed || !queue.empty(); });
        if (closed) return;
        host = std::move(queue.front());
        queue.pop_front();
      }
      auto answer = lookup(host);
      std::lock_guard lock(mutex);
      if (closed) return;  // the io_context may be gone: nothing is posted after Close
      net::post(executor, [self = shared_from_this(), host = std::move(host),
                           answer = std::move(answer)]() mutable {
        self->Answered(host, std::move(answer));
      });
    }
  }

  // io thread: the answer reaches the cache and every fetch still waiting for it.
  void Answered(const std::string& host, Result<Addresses> answer) {
    const auto it = in_flight.find(host);
    if (it == in_flight.end()) return;
    auto lookup_state = std::move(it->second);
    in_flight.erase(it);
    if (answer && settings.cache_ttl.count() > 0) Cache(host, *answer);
    lookup_state->result = std::move(answer);
    for (auto* timer : lookup_state->waiters) timer->cancel();
  }

  void Cache(const std::string& host, const Addresses& addresses) {
    const auto now = SteadyClock::now();
    if (cache.size() >= settings.max_cached) {
      std::erase_if(cache, [now](const auto& entry) { return entry.second.expires <= now; });
      if (cache.size() >= settings.max_cached) cache.erase(cache.begin());
    }
    cache[host] = Cached{addresses, now + settings.cache_ttl};
  }

  struct Cached {
    Addresses addresses;
    SteadyClock::time_point expires;
  };

  const net::any_io_executor executor;
  const DnsSettings settings;
  const LookupFunction lookup;

  // Shared with the lookup threads.
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::string> queue;
  bool closed = false;

  // io thread only.
  std::unordered_map<std::string, Cached> cache;
  std::unordered_map<std::string, std::shared_ptr<Lookup>> in_flight;
};

DnsResolver::DnsResolver(net::any_io_executor executor, DnsSettings settings,
                         LookupFunction lookup)
    : state_(std::make_shared<State>(std::move(executor), settings, std::move(lookup))) {
  // Detached on purpose: a thread inside getaddrinfo cannot be interrupted, and shutdown must
  // not wait the system resolver's timeouts out. Each holds the state it uses.
  for (int i = 0; i < std::max(1, settings.threads); ++i) {
    std::thread([state = state_] { state->Work(); }).detach();
  }
}

DnsResolver::~DnsResolver() { Close(); }

void DnsResolver::Close() {
  {
    std::lock_guard lock(state_->mutex);
    state_->closed = true;
    state_->queue.clear();
  }
  state_->wake.notify_all();
}

std::size_t DnsResolver::CachedCount() const { return state_->cache.size(); }

net::awaitable<Result<Addresses>> DnsResolver::Resolve(const std::string& host,
                                                       SteadyClock::time_point deadline) {
  const auto now = SteadyClock::now();
  if (const auto cached = state_->cache.find(host); cached != state_->cache.end()) {
    if (now < cached->second.expires) co_return cached->second.addresses;
    state_->cache.erase(cached);
  }
  auto& lookup = state_->in_flight[host];
  if (!lookup) {
    lookup = std::make_shared<Lookup>();
    {
      std::lock_guard guard(state_->mutex);
      if (state_->closed) {
        state_->in_flight.erase(host);
        co_return DnsFailure(fmt::format("cannot resolve {}: the fetcher is shutting down", host));
      }
      state_->queue.push_back(host);
    }
    state_->wake.notify_one();
  }
  const auto shared = lookup;  // the map entry goes when the answer arrives
  net::steady_timer timer(state_->executor);
  timer.expires_at(std::min(deadline, now + state_->settings.timeout));
  {
    WaiterListing listing(*shared, timer);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  }
  if (shared->result) co_return *shared->result;
  co_return DnsFailure(fmt::format("cannot resolve {}: no answer within {} ms", host,
                                   std::chrono::duration_cast<std::chrono::milliseconds>(
                                       SteadyClock::now() - now)
                                       .count()));
}

}  // namespace tributary::fetcher
