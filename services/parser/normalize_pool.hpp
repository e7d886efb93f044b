#pragma once
// Normalizes the entries of one document on worker threads while the reader goes on reading:
// on a long feed normalization is most of the work (text, sanitized HTML, URLs, hashes), and it
// is independent per entry. Items come out in the order the entries went in. When the queue is
// long, the submitting thread takes the oldest batch itself rather than wait. Entries travel in
// batches: one hand-over (a lock, maybe a wake-up) per entry cost as much as a third of the
// normalizing it moved.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "services/parser/normalize.hpp"
#include "services/parser/raw_entry.hpp"

namespace tributary::parser {

class NormalizePool {
 public:
  // `context` must outlive the pool and not change while entries are pending (Drain first).
  NormalizePool(std::size_t workers, const NormalizeContext& context);
  ~NormalizePool();
  NormalizePool(const NormalizePool&) = delete;
  NormalizePool& operator=(const NormalizePool&) = delete;

  // Submit, Pending and Drain are for one thread, the reader's.
  void Submit(RawEntry entry);
  // Entries submitted and not yet drained.
  [[nodiscard]] std::size_t Pending() const;
  // Waits for every submitted entry and appends their items to `items` in submission order.
  // Returns how many entries carried nothing (Normalize gave no item). Rethrows what a worker
  // threw.
  std::size_t Drain(std::vector<v1::Item>& items);

 private:
  struct Task {
    std::vector<RawEntry> entries;
    std::vector<std::optional<v1::Item>>* results;  // as many slots as entries
  };

  // Queues the batch being gathered.
  void Hand(std::unique_lock<std::mutex>& lock);
  void Work();
  // Runs the oldest queued task, with `lock` held on entry and on return.
  void RunOne(std::unique_lock<std::mutex>& lock);

  const NormalizeContext& context_;
  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable all_done_;
  std::vector<RawEntry> gathering_;  // the next batch; only the submitting thread touches it
  std::deque<Task> queue_;
  // One result list per batch, in order; a deque so lists stay put while more are added.
  std::deque<std::vector<std::optional<v1::Item>>> results_;
  std::size_t pending_ = 0;  // entries submitted and not drained
  std::size_t running_ = 0;
  std::exception_ptr failure_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tributary::parser
