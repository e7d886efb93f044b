#pragma once
// The at-least-once consumer every stage uses (DESIGN §4):
//  - auto-commit of *stored* offsets only; an offset is stored when the caller says the work
//    derived from the message is durable (Complete), and only the contiguous completed prefix of
//    each partition (OffsetTracker);
//  - bounded in-flight work per partition and in total (backpressure instead of unbounded
//    memory): at the total limit Poll first waits for work to complete, and only when the limit
//    holds for `pause_after` are the partitions paused, because pausing drops the messages
//    already fetched and resuming fetches them again, a round trip per cycle that capped a
//    stage at ~700 messages/s when the limit was reached for a moment at every batch; a
//    partition at its own limit is paused at once; paused partitions resume when work completes;
//  - cooperative-sticky rebalances: revoked partitions' in-flight work is dropped, never stored;
//  - Close() stops taking work, waits a grace period for in-flight work, commits, leaves.
// Poll/Close must be called from one thread; Complete may be called from any thread.
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/kafka/message.hpp"
#include "common/kafka/offset_tracker.hpp"
#include "common/kafka/settings.hpp"
#include "common/metrics/registry.hpp"

namespace tributary::kafka {

struct ConsumerSettings {
  std::string stage;      // metric and client-id prefix, e.g. "parser"
  std::string group_id;   // e.g. "tributary-parser"
  // Static membership (KIP-345) when set: a restarted member with the same id takes its
  // partitions back at once, instead of the group waiting for the dead member's session to
  // expire. Unique per replica within the group (a second one is fenced).
  std::string group_instance_id;
  std::vector<std::string> topics;
  std::size_t max_in_flight_per_partition = 1000;
  std::size_t max_in_flight_total = 5000;
  // How long the total limit may hold before the partitions are paused (a stalled downstream,
  // a backend outage); shorter stalls are waited out in Poll. Well below max.poll.interval.ms.
  std::chrono::milliseconds pause_after{1000};
};

class Consumer {
 public:
  Consumer(const Settings& settings, ConsumerSettings consumer_settings,
           metrics::Registry& registry = metrics::Default());
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // The next message to work on, or nothing within the timeout. Throws on a fatal client error.
  std::optional<Message> Poll(std::chrono::milliseconds timeout);

  // The work derived from `message` is durable (produced and acknowledged, or committed).
  // Returns false when its offset cannot be stored any more (the partition was revoked or
  // lost): the work will be redone by the partition's next owner, and the caller should drop
  // anything it still holds for that partition.
  bool Complete(const Message& message);

  // Stops taking work, waits up to `grace` for in-flight work to Complete, commits the stored
  // offsets and leaves the group. In-flight work not completed by then is abandoned: its offsets
  // are not stored, so it is redelivered. Idempotent.
  void Close(std::chrono::milliseconds grace);

  // Called on the Poll thread after partitions are revoked or lost, so a stage can drop
  // buffered work (e.g. the loader's pending batch) for them.
  void OnRevoke(std::function<void(const std::vector<TopicPartition>&)> listener);

  [[nodiscard]] bool HasAssignment() const { return !tracker_.Assigned().empty(); }
  [[nodiscard]] std::size_t InFlight() const { return tracker_.InFlightTotal(); }
  // Committed offsets of the group for the currently assigned partitions (for tests and status).
  [[nodiscard]] std::map<TopicPartition, std::int64_t> Committed(
      std::chrono::milliseconds timeout);

 private:
  class Callbacks;
  void OnAssign(const std::vector<RdKafka::TopicPartition*>& partitions);
  void OnRevokeInternal(const std::vector<RdKafka::TopicPartition*>& partitions, bool lost);
  void ApplyBackpressure(bool total_full);
  void OnStatistics(const std::string& statistics_json);
  void WaitForFirstAssignment();
  // Bounds WaitForFirstAssignment: a join takes the broker's group.initial.rebalance.delay.ms
  // (3 s by default) plus round trips.
  static constexpr std::chrono::milliseconds kFirstAssignmentWait{5000};
  // At the total limit: waits up to `timeout` for a completion; true when still at the limit.
  bool WaitWhileFull(std::chrono::milliseconds timeout);

  ConsumerSettings settings_;
  OffsetTracker tracker_;
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::set<TopicPartition> paused_;
  // Poll thread only: since when the total limit holds.
  std::optional<std::chrono::steady_clock::time_point> full_since_;
  std::mutex completion_mutex_;
  std::condition_variable completion_cv_;
  std::function<void(const std::vector<TopicPartition>&)> revoke_listener_;
  std::atomic<bool> close_started_{false};  // no new work from Poll
  std::atomic<bool> closed_{false};         // no more offset stores
  std::atomic<bool> ever_assigned_{false};  // set by the first rebalance, even an empty one

  metrics::Family<metrics::Counter>& consumed_;
  metrics::Counter& abandoned_;
  metrics::Counter& stored_;
  metrics::Gauge& in_flight_;
  metrics::Gauge& assigned_;
  metrics::Gauge& paused_gauge_;
  metrics::Family<metrics::Gauge>& lag_;
};

}  // namespace tributary::kafka
