#include "services/scheduler/kafka_request_sink.hpp"

#include <memory>
#include <mutex>

namespace tributary::scheduler {

std::vector<bool> KafkaRequestSink::SendAll(std::vector<kafka::Record> records) {
  // Shared with the delivery callbacks, which may run after a Flush timeout returned.
  struct Acks {
    std::mutex mutex;
    std::vector<bool> delivered;
  };
  auto acks = std::make_shared<Acks>();
  acks->delivered.assign(records.size(), false);
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto enqueued = producer_.Produce(std::move(records[i]), [acks, i](const Result<void>& r) {
      std::lock_guard lock(acks->mutex);
      acks->delivered[i] = r.has_value();
    });
    (void)enqueued;  // not enqueued: stays false, and the caller releases its lease
  }
  producer_.Flush(timeout_);
  std::lock_guard lock(acks->mutex);
  return acks->delivered;
}

}  // namespace tributary::scheduler
