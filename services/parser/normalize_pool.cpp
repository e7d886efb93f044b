#include "services/parser/normalize_pool.hpp"

#include <utility>

namespace tributary::parser {
namespace {

constexpr std::size_t kBatch = 16;
// Batches queued beyond this, the submitting thread normalizes one itself: the queue (whole
// entries, HTML included) stays small, and a reader faster than the workers is slowed to them.
constexpr std::size_t kMaxQueued = 4;

}  // namespace

NormalizePool::NormalizePool(std::size_t workers, const NormalizeContext& context)
    : context_(context) {
  gathering_.reserve(kBatch);
  threads_.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
}

NormalizePool::~NormalizePool() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void NormalizePool::Submit(RawEntry entry) {
  ++pending_;
  gathering_.push_back(std::move(entry));
  if (gathering_.size() < kBatch) return;
  std::unique_lock lock(mutex_);
  Hand(lock);
  if (queue_.size() > kMaxQueued) RunOne(lock);
}

void NormalizePool::Hand(std::unique_lock<std::mutex>& lock) {
  if (gathering_.empty()) return;
  auto& results = results_.emplace_back(gathering_.size());
  queue_.push_back({std::move(gathering_), &results});
  gathering_.clear();
  gathering_.reserve(kBatch);
  lock.unlock();
  work_ready_.notify_one();
  lock.lock();
}

std::size_t NormalizePool::Pending() const { return pending_; }

std::size_t NormalizePool::Drain(std::vector<v1::Item>& items) {
  std::unique_lock lock(mutex_);
  Hand(lock);
  while (!queue_.empty()) RunOne(lock);  // help rather than wait
  all_done_.wait(lock, [this] { return running_ == 0; });
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
  std::size_t empty = 0;
  for (auto& batch : results_) {
    for (auto& result : batch) {
      if (result) {
        items.push_back(std::move(*result));
      } else {
        ++empty;
      }
    }
  }
  results_.clear();
  pending_ = 0;
  return empty;
}

void NormalizePool::Work() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    RunOne(lock);
  }
}

void NormalizePool::RunOne(std::unique_lock<std::mutex>& lock) {
  Task task = std::move(queue_.front());
  queue_.pop_front();
  ++running_;
  lock.unlock();
  // The slots are written without the lock: no one else touches them until Drain, which waits
  // for running_ to reach 0 under the lock, and adding lists to a deque does not move this one.
  std::exception_ptr failure;
  try {
    for (std::size_t i = 0; i < task.entries.size(); ++i) {
      (*task.results)[i] = Normalize(task.entries[i], context_);
    }
  } catch (...) {
    failure = std::current_exception();
  }
  lock.lock();
  if (failure && !failure_) failure_ = failure;
  if (--running_ == 0 && queue_.empty()) all_done_.notify_all();
}

}  // namespace tributary::parser
