#pragma once
// What every consuming stage binary builds around its core, written once: the admin server
// (/healthz, /readyz, /metrics), the idempotent producer, the DLQ publisher, the consumer and the
// ports the core is built on; then the consume loop and the shutdown order STYLE prescribes
// (readiness false -> stop taking work -> in-flight work finishes within the grace -> offsets
// committed -> the core stops -> producer flushed -> admin stopped). An App::Run is: parse the
// settings, build the core on the host's ports, Run it.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "common/admin/admin_server.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/dlq.hpp"
#include "common/kafka/producer.hpp"
#include "common/metrics/registry.hpp"
#include "common/runtime/consume_loop.hpp"
#include "common/runtime/kafka_stage_ports.hpp"

namespace tributary::runtime {

struct StageHostSettings {
  std::string stage;  // "parser": client ids, metric names, <prefix>.dlq.<stage>
  kafka::Settings kafka;
  admin::Settings admin;
  std::string group_id;
  std::string group_instance_id;
  std::vector<std::string> topics;
  std::size_t max_in_flight_per_partition = 1000;
  std::size_t max_in_flight_total = 5000;
  LoopSettings loop;
};

// A stage's core as the host drives it, all on the poll thread: each consumed message; a tick
// between polls (false: the stage must stop); partitions this consumer lost (their buffered
// work belongs to the next owner); the end, after the loop and before the producer is flushed.
struct StageCallbacks {
  std::function<void(kafka::Message)> handle;
  std::function<bool()> tick = [] { return true; };
  std::function<void(const std::vector<kafka::TopicPartition>&)> revoke;
  std::function<void()> stop;
};

class StageHost {
 public:
  StageHost(StageHostSettings settings, metrics::Registry& registry);
  StageHost(const StageHost&) = delete;
  StageHost& operator=(const StageHost&) = delete;

  // The ports a core is built on.
  [[nodiscard]] RecordSink& sink() { return sink_; }
  [[nodiscard]] DeadLetters& dead_letters() { return dead_letters_; }
  [[nodiscard]] Completions& completions() { return completions_; }
  [[nodiscard]] int admin_port() const { return admin_.port(); }

  // Runs `stage` until SIGTERM/SIGINT, `keep_running` false, a tick returning false or a fatal
  // producer error, then shuts down in order. The exit status: 1 after a fatal producer error.
  int Run(const StageCallbacks& stage, const std::function<bool()>& keep_running = [] {
    return true;
  });

 private:
  StageHostSettings settings_;
  // Dependency order: the consumer is created last and closed first.
  admin::AdminServer admin_;
  kafka::Producer producer_;
  kafka::DlqPublisher publisher_;
  ProducerSink sink_;
  KafkaDeadLetters dead_letters_;
  kafka::Consumer consumer_;
  ConsumerCompletions completions_;
};

}  // namespace tributary::runtime
