#include "services/fetcher/connection_pool.hpp"

namespace tributary::fetcher {

std::unique_ptr<Connection> ConnectionPool::Take(const std::string& origin) {
  auto it = idle_.find(origin);
  if (it == idle_.end()) return nullptr;
  auto& queue = it->second;
  const auto now = std::chrono::steady_clock::now();
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

void ConnectionPool::Give(std::unique_ptr<Connection> connection) {
  if (max_idle_per_origin_ == 0 || idle_total_ >= max_idle_total_) return;
  auto& queue = idle_[connection->origin];
  // The oldest goes: it is the likeliest to have been closed by the server meanwhile.
  if (queue.size() >= max_idle_per_origin_) {
    queue.pop_front();
    --idle_total_;
  }
  connection->idle_since = std::chrono::steady_clock::now();
  queue.push_back(std::move(connection));
  ++idle_total_;
}

void ConnectionPool::Clear() {
  idle_.clear();
  idle_total_ = 0;
}

}  // namespace tributary::fetcher
