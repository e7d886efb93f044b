#pragma once
// The idempotent producer every stage uses (DESIGN §4): enable.idempotence, acks=all,
// compression, and per-record delivery callbacks so a stage stores a consumed offset only after
// everything derived from it is acknowledged by the broker.
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/base/result.hpp"
#include "common/kafka/message.hpp"
#include "common/kafka/settings.hpp"
#include "common/metrics/registry.hpp"

namespace tributary::kafka {

struct Record {
  std::string topic;
  std::string key;
  std::string value;
  Headers headers;
};

// Called once per record on the producer's delivery thread: success, or why it failed.
using DeliveryCallback = std::function<void(const Result<void>&)>;

// Documents can be 16 MiB (DESIGN §2); the producer's limit sits just above that.
inline constexpr std::size_t kMaxMessageBytes = 17 * 1024 * 1024;

class Producer {
 public:
  Producer(const Settings& settings, const std::string& stage,
           metrics::Registry& registry = metrics::Default());
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Enqueues a record. Blocks while librdkafka's local queue is full (backpressure). An error
  // here means the record was never enqueued (e.g. larger than the limit: kPermanent) and the
  // callback will not be called.
  [[nodiscard]] Result<void> Produce(Record record, DeliveryCallback on_delivery);

  // Produces and waits for the broker's acknowledgement.
  [[nodiscard]] Result<void> ProduceAndWait(Record record, std::chrono::milliseconds timeout);

  // Waits until every enqueued record is delivered or failed. Returns false on timeout.
  bool Flush(std::chrono::milliseconds timeout);

  [[nodiscard]] bool fatal() const { return fatal_; }

 private:
  class Callbacks;
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> fatal_{false};
  std::thread poller_;
  metrics::Family<metrics::Counter>& produced_;
  metrics::Family<metrics::Counter>& failed_;
};

}  // namespace tributary::kafka
