#pragma once
// The three stage ports (stage_ports.hpp) in memory, for unit tests of a stage's logic: records
// sent (acknowledged at once, or held until the test delivers them with a verdict of its
// choosing), dead letters (publishing can be made to fail), and completed offsets. Thread-safe:
// stages deliver on other threads.
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/runtime/stage_ports.hpp"

namespace tributary::runtime::testing {

class InMemoryBus : public RecordSink, public DeadLetters, public Completions {
 public:
  // --- RecordSink
  Result<void> Send(kafka::Record record, kafka::DeliveryCallback on_delivery) override {
    std::unique_lock lock(mutex_);
    if (refuse_next_send > 0) {
      --refuse_next_send;
      return Fail(ErrorKind::kRetryable, "kafka.queue_full", "local queue full");
    }
    sent_.push_back(record);
    if (hold) {
      held_.emplace_back(std::move(record), std::move(on_delivery));
      return {};
    }
    Result<void> verdict;
    if (fail_next_delivery > 0) {
      --fail_next_delivery;
      verdict = tl::unexpected(delivery_error);
    }
    lock.unlock();
    on_delivery(verdict);
    return {};
  }

  // --- DeadLetters
  Result<void> Publish(const kafka::Message& message, const Error& error) override {
    std::lock_guard lock(mutex_);
    if (fail_next_publish > 0) {
      --fail_next_publish;
      return Fail(ErrorKind::kRetryable, "kafka.unavailable", "broker down");
    }
    dead_.push_back({message.offset, error});
    return {};
  }

  // --- Completions
  bool Complete(const kafka::Message& message) override {
    std::lock_guard lock(mutex_);
    completed_.push_back(message.offset);
    return true;
  }

  // --- what happened
  std::vector<kafka::Record> Sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }
  std::vector<kafka::Record> OnTopic(const std::string& topic) const {
    std::lock_guard lock(mutex_);
    std::vector<kafka::Record> out;
    for (const auto& r : sent_) {
      if (r.topic == topic) out.push_back(r);
    }
    return out;
  }
  std::vector<std::pair<std::int64_t, std::string>> DeadLettered() const {  // offset, class
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::int64_t, std::string>> out;
    for (const auto& [offset, error] : dead_) out.emplace_back(offset, error.error_class);
    return out;
  }
  std::vector<Error> DeadLetterErrors() const {
    std::lock_guard lock(mutex_);
    std::vector<Error> out;
    for (const auto& dead : dead_) out.push_back(dead.second);
    return out;
  }
  std::vector<std::int64_t> Completed() const {
    std::lock_guard lock(mutex_);
    return completed_;
  }
  std::size_t Held() const {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  // Waits (really: deliveries come from other threads) until `count` records are held.
  std::size_t WaitForHeld(std::size_t count, std::chrono::milliseconds timeout) const {
    for (auto deadline = std::chrono::steady_clock::now() + timeout;
         std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
      if (Held() >= count) break;
    }
    return Held();
  }

  // --- delivering held records
  // The oldest held record gets `verdict`; returns its topic.
  std::string Deliver(const Result<void>& verdict = {}) {
    std::pair<kafka::Record, kafka::DeliveryCallback> next;
    {
      std::lock_guard lock(mutex_);
      next = std::move(held_.front());
      held_.pop_front();
    }
    next.second(verdict);
    return next.first.topic;
  }
  void DeliverAll(const Result<void>& verdict = {}) {
    std::deque<std::pair<kafka::Record, kafka::DeliveryCallback>> all;
    {
      std::lock_guard lock(mutex_);
      all.swap(held_);
    }
    for (auto& [record, callback] : all) callback(verdict);
  }

  // Knobs, set before the sends they affect.
  bool hold = false;                // keep deliveries until Deliver/DeliverAll
  int fail_next_delivery = 0;       // (not held) the next deliveries fail with delivery_error
  Error delivery_error{ErrorKind::kRetryable, "kafka.timeout", "message timed out"};
  int refuse_next_send = 0;         // Send itself returns an error (the record is not enqueued)
  int fail_next_publish = 0;        // the DLQ refuses (broker down)

 private:
  mutable std::mutex mutex_;
  std::vector<kafka::Record> sent_;
  std::deque<std::pair<kafka::Record, kafka::DeliveryCallback>> held_;
  std::vector<std::pair<std::int64_t, Error>> dead_;
  std::vector<std::int64_t> completed_;
};

}  // namespace tributary::runtime::testing
