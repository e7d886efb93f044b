#pragma once
// The records a stage derives from one consumed message, delivered at least once (DESIGN §4):
// each gets the message's trace continued with the stage's own span and the protobuf content
// type; the message is completed (its offset may be stored) only once the broker acknowledged
// every one of them. A failed delivery keeps the message: on the next Tick after the retry
// delay every record of it is produced again (downstream is idempotent), and a permanent
// failure (a record the broker can never take) dead-letters the message instead.
//
// Emit may be called on any thread, delivery callbacks arrive on the producer's thread, Tick
// runs on the poll thread. Callbacks that arrive after Detach (or after the outbox is gone)
// touch nothing.
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "common/base/clock.hpp"
#include "common/metrics/registry.hpp"
#include "common/runtime/dead_letterer.hpp"
#include "common/runtime/stage_ports.hpp"

namespace tributary::runtime {

class Outbox {
 public:
  struct Settings {
    std::chrono::milliseconds retry_delay{1000};
    metrics::Counter* reproduced = nullptr;  // messages produced again after a failed delivery
  };

  Outbox(RecordSink& sink, DeadLetterer& dead_letterer, Completions& completions,
         const Clock& clock, Settings settings);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Produces `records` (headers left empty are filled in: content type and traceparent) and
  // completes `message` once all are acknowledged, running `on_delivered` just before. No
  // records: completed at once.
  void Emit(kafka::Message message, std::vector<kafka::Record> records,
            std::function<void()> on_delivered = {});
  // Poll thread: produces again, or dead-letters, the messages whose delivery failed and whose
  // retry delay has passed.
  void Tick();
  // Messages waiting for their retry.
  [[nodiscard]] std::size_t PendingRetries() const;
  // From now on no delivery completes anything (the stage is going away).
  void Detach();

 private:
  struct Pending;
  struct State;
  static void Send(const std::shared_ptr<State>& state, std::shared_ptr<Pending> pending);
  static void Finish(const std::shared_ptr<State>& state, const std::shared_ptr<Pending>& pending);

  std::shared_ptr<State> state_;
  DeadLetterer& dead_letterer_;
};

}  // namespace tributary::runtime
