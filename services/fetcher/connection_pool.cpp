#include "services/fetcher/connection_pool.hpp"

namespace tributary::fetcher {

std::unique_ptr<Connection> ConnectionPool::Take(const std::string& origin) {
  auto it = idle_.find(origin);
  if (it == idle_.end()) return nullptr;
  auto& queue = it->second;
  const auto now = clock_.Now();
  std::unique_ptr<Connection> found;
  while (!queue.empty() && !found) {
    auto candidate = std::move(queue.back());
    queue.pop_back();
    --idle_total_;
    if (now - candidate->idle_since < idle_timeout_) found = std::move(candidate);
  }
  if (queue.empty()) idle_.erase(it);
  return found;
}

void ConnectionPool::CloseExpired(Clock::TimePoint now) {
  // At most once a minute: connections to hosts not fetched again would otherwise stay open
  // (and, once their servers hang up, linger half-closed) until the pool fills.
  if (!sweep_.Due(now)) return;
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& queue = it->second;
    while (!queue.empty() && now - queue.front()->idle_since >= idle_timeout_) {
      queue.pop_front();  // oldest first: Give appends
      --idle_total_;
    }
    it = queue.empty() ? idle_.erase(it) : std::next(it);
  }
}

void ConnectionPool::Give(std::unique_ptr<Connection> connection) {
  CloseExpired(clock_.Now());
  if (max_idle_per_origin_ == 0 || idle_total_ >= max_idle_total_) return;
  auto& queue = idle_[connection->origin];
  // The oldest goes: it is the likeliest to have been closed by the server meanwhile.
  if (queue.size() >= max_idle_per_origin_) {
    queue.pop_front();
    --idle_total_;
  }
  connection->idle_since = clock_.Now();
  queue.push_back(std::move(connection));
  ++idle_total_;
}

void ConnectionPool::Clear() {
  idle_.clear();
  idle_total_ = 0;
}

}  // namespace tributary::fetcher
