#pragma once
// The loader's logic, over its ports: buffer decoded messages, flush a batch by count or age,
// store offsets only after the batch committed, send undecodable or invalid records to the DLQ,
// and split a batch PostgreSQL rejects until the bad record(s) are isolated (DESIGN §6).
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "common/kafka/message.hpp"
#include "common/runtime/dead_letterer.hpp"
#include "common/runtime/stage_ports.hpp"
#include "services/loader/decode.hpp"
#include "services/loader/loader_metrics.hpp"
#include "services/loader/store.hpp"

namespace tributary::loader {

struct CoreSettings {
  std::size_t batch_size = 1000;
  std::chrono::milliseconds batch_linger{200};
  std::string items_topic;   // <prefix>.embedded or <prefix>.items
  InputKind items_kind = InputKind::kEmbedded;
  std::string events_topic;  // <prefix>.source.events
};

class Core {
 public:
  using Clock = std::chrono::steady_clock;

  Core(CoreSettings settings, Store& store, runtime::DeadLetters& dead_letters,
       runtime::Completions& completions, LoaderMetrics& metrics);

  // Takes one consumed message. Poison is dead-lettered and completed at once; the rest waits
  // for the batch.
  void Add(kafka::Message message, Clock::time_point now);
  // Writes the pending batch if it is full or its oldest message waited batch_linger.
  void FlushIfDue(Clock::time_point now);
  // Writes the pending batch. Returns false when it could not (shutting down): nothing of it
  // was completed, so it is redelivered.
  bool Flush();
  // The consumer lost these partitions: their buffered messages belong to the next owner.
  void DropPartitions(const std::vector<kafka::TopicPartition>& partitions);

  [[nodiscard]] std::size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    kafka::Message message;
    Record record;
  };
  enum class Outcome { kDone, kAbandoned };

  Outcome WriteRange(std::size_t begin, std::size_t end);
  void RecordStats(const WriteStats& stats);

  CoreSettings settings_;
  Store& store_;
  runtime::Completions& completions_;
  runtime::DeadLetterer dead_letterer_;
  LoaderMetrics& metrics_;
  std::vector<Pending> pending_;
  Clock::time_point oldest_{};
};

}  // namespace tributary::loader
