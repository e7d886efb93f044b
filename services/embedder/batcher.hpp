#pragma once
// Assembles backend requests by count and by approximate tokens: a batch closes when it holds
// `max_items`, when the next input would push it past `max_tokens` (that input starts the next
// batch), or when its oldest input waited `linger`. Inputs keep their order. Not thread-safe:
// the poll thread owns it.
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "common/base/clock.hpp"

namespace tributary::embedder {

struct BatchLimits {
  std::size_t max_items = 64;
  std::size_t max_tokens = 200'000;
  std::chrono::milliseconds linger{50};
};

template <typename T>
struct Batch {
  std::vector<T> items;
  std::size_t tokens = 0;
};

template <typename T>
class Batcher {
 public:
  explicit Batcher(BatchLimits limits) : limits_(limits) {}

  // Adds one input; returns the batches it closed (none, or one, or two when a single input is
  // larger than max_tokens and both the previous batch and its own are closed at once).
  std::vector<Batch<T>> Add(T item, std::size_t tokens, Clock::TimePoint now) {
    std::vector<Batch<T>> closed;
    if (!open_.items.empty() && open_.tokens + tokens > limits_.max_tokens) {
      closed.push_back(Take());
    }
    if (open_.items.empty()) opened_at_ = now;
    open_.items.push_back(std::move(item));
    open_.tokens += tokens;
    if (open_.items.size() >= limits_.max_items || open_.tokens >= limits_.max_tokens) {
      closed.push_back(Take());
    }
    return closed;
  }

  // The open batch, if its oldest input has waited `linger`.
  std::optional<Batch<T>> FlushIfDue(Clock::TimePoint now) {
    if (open_.items.empty() || now - opened_at_ < limits_.linger) return std::nullopt;
    return Take();
  }

  // Removes the inputs `drop` selects (e.g. those of revoked partitions).
  template <typename Pred>
  std::size_t DropIf(Pred drop, const std::function<std::size_t(const T&)>& tokens_of) {
    std::vector<T> kept;
    std::size_t dropped = 0;
    open_.tokens = 0;
    for (auto& item : open_.items) {
      if (drop(item)) {
        ++dropped;
        continue;
      }
      open_.tokens += tokens_of(item);
      kept.push_back(std::move(item));
    }
    open_.items = std::move(kept);
    return dropped;
  }

  [[nodiscard]] std::size_t size() const { return open_.items.size(); }

 private:
  Batch<T> Take() { return std::exchange(open_, Batch<T>{}); }

  BatchLimits limits_;
  Batch<T> open_;
  Clock::TimePoint opened_at_{};
};

}  // namespace tributary::embedder
