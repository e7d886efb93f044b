#include "common/kafka/consumer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "common/kafka/client_config.hpp"
#include "common/kafka/consumer_lag.hpp"
#include "common/log/log.hpp"

namespace tributary::kafka {
namespace {

auto Log() { return log::Get("kafka"); }

// Owns the TopicPartition pointers librdkafka's C++ API wants in vectors.
struct PartitionList {
  std::vector<RdKafka::TopicPartition*> items;
  PartitionList() = default;
  PartitionList(const PartitionList&) = delete;
  PartitionList& operator=(const PartitionList&) = delete;
  ~PartitionList() { RdKafka::TopicPartition::destroy(items); }
  void Add(const TopicPartition& tp, std::int64_t offset = RdKafka::Topic::OFFSET_INVALID) {
    items.push_back(RdKafka::TopicPartition::create(tp.topic, tp.partition, offset));
  }
};

TopicPartition From(const RdKafka::TopicPartition& tp) {
  return {tp.topic(), tp.partition()};
}

std::string Describe(const std::vector<RdKafka::TopicPartition*>& partitions) {
  std::string out;
  for (const auto* tp : partitions) {
    out += fmt::format("{}{}[{}]", out.empty() ? "" : " ", tp->topic(), tp->partition());
  }
  return out;
}

}  // namespace

class Consumer::Callbacks : public RdKafka::RebalanceCb, public RdKafka::EventCb {
 public:
  explicit Callbacks(Consumer& owner) : owner_(owner) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      owner_.OnAssign(partitions);
      if (cooperative) {
        if (auto* error = consumer->incremental_assign(partitions)) {
          Log()->error("incremental assign of {} failed: {}", Describe(partitions), error->str());
          delete error;
        }
      } else {
        consumer->assign(partitions);
      }
      // librdkafka keeps a partition's pause flag across its revocation and re-assignment
      // (confluentinc/librdkafka#1849): one paused for backpressure when it was revoked or lost
      // (a broker restart, a session timeout) would come back paused, while this consumer
      // counts it as running, and never be consumed again. Found by scripts/chaos.sh.
      consumer->resume(partitions);
      return;
    }
    // Revoked, or lost (ERR__REVOKE_PARTITIONS after a session timeout).
    owner_.OnRevokeInternal(partitions, consumer->assignment_lost());
    if (cooperative) {
      if (auto* error = consumer->incremental_unassign(partitions)) {
        Log()->error("incremental unassign of {} failed: {}", Describe(partitions), error->str());
        delete error;
      }
    } else {
      consumer->unassign();
    }
  }

  void event_cb(RdKafka::Event& event) override {
    switch (event.type()) {
      case RdKafka::Event::EVENT_ERROR:
        if (event.fatal()) {
          // Poll ends the stage: it asks fatal_error(), which every fatal error reaches.
          Log()->critical("Kafka consumer fatal error: {}", event.str());
        } else if (ShouldLog()) {
          // Transient (broker down, transport): librdkafka retries by itself; say it once in a
          // while so the log shows the outage without flooding.
          Log()->warn("Kafka consumer error (retrying): {}: {}",
                      RdKafka::err2str(event.err()), event.str());
        }
        break;
      case RdKafka::Event::EVENT_STATS:
        owner_.OnStatistics(event.str());
        break;
      case RdKafka::Event::EVENT_LOG:
        if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING) {
          Log()->warn("librdkafka {}: {}", event.fac(), event.str());
        }
        break;
      default:
        break;
    }
  }

 private:
  bool ShouldLog() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_logged_ < std::chrono::seconds(10)) return false;
    last_logged_ = now;
    return true;
  }
  Consumer& owner_;
  std::chrono::steady_clock::time_point last_logged_{};
};

Consumer::Consumer(const Settings& settings, ConsumerSettings consumer_settings,
                   metrics::Registry& registry)
    : settings_(std::move(consumer_settings)),
      callbacks_(std::make_unique<Callbacks>(*this)),
      consumed_(registry.CounterFamily(fmt::format("tributary_{}_consumed_total", settings_.stage),
                                       "Messages taken from Kafka for work.", {"topic"})),
      abandoned_(registry.AddCounter(
          fmt::format("tributary_{}_abandoned_total", settings_.stage),
          "In-flight messages dropped on revocation or shutdown (they are redelivered).")),
      stored_(registry.AddCounter(fmt::format("tributary_{}_offsets_stored_total", settings_.stage),
                                  "Offset stores after durable work.")),
      in_flight_(registry.AddGauge(fmt::format("tributary_{}_in_flight", settings_.stage),
                                   "Messages being worked on.")),
      assigned_(registry.AddGauge(fmt::format("tributary_{}_assigned_partitions", settings_.stage),
                                  "Partitions assigned to this consumer.")),
      paused_gauge_(registry.AddGauge(
          fmt::format("tributary_{}_paused_partitions", settings_.stage),
          "Partitions paused because too much work is in flight.")),
      lag_(registry.GaugeFamily(
          fmt::format("tributary_{}_consumer_lag", settings_.stage),
          "Records of an assigned partition not yet durably done (high watermark minus the "
          "stored offset), from librdkafka's statistics every statistics.interval.ms.",
          {"topic", "partition"})) {
  if (settings_.topics.empty()) throw std::invalid_argument("consumer needs at least one topic");
  if (settings_.max_in_flight_per_partition == 0 || settings_.max_in_flight_total == 0) {
    throw std::invalid_argument("consumer in-flight limits must be at least 1");
  }
  auto conf = MakeConf(settings, {
      {"group.id", settings_.group_id},
      {"client.id", "tributary-" + settings_.stage},
      // DESIGN §4: a backlog is work, not history to skip.
      {"auto.offset.reset", "earliest"},
      // Commit automatically, but only offsets we stored after the work was durable.
      {"enable.auto.commit", "true"},
      {"enable.auto.offset.store", "false"},
      {"auto.commit.interval.ms", "1000"},
      {"partition.assignment.strategy", "cooperative-sticky"},
      // How long the group waits for a member that stopped heartbeating before moving its
      // partitions (librdkafka's default is 45 s). A SIGKILLed stage with static membership
      // comes back sooner than this and resumes at once; without it, or if it never comes back,
      // its partitions are idle this long. Heartbeats come from librdkafka's own thread, so a
      // busy stage does not miss them (docs/ops.md, "Consumer groups").
      {"session.timeout.ms", "10000"},
      {"enable.partition.eof", "false"},
      // A resumed partition joins the broker's next fetch; the default 500 ms wait of the fetch
      // already in flight would stall every pause/resume cycle that long.
      {"fetch.wait.max.ms", "100"},
      // librdkafka prefetches up to 64 MiB per consumer by default, most of a worker's memory
      // budget (bench/pipeline: < 100 MB per worker). 16 MiB still keeps the stage fed (8 MiB
      // cost a fifth of the pipeline's throughput), and a larger message is still fetched (the
      // limit is soft).
      {"queued.max.messages.kbytes", "16384"},
      // That limit is overshot by up to one fetch per partition (1 MiB each by default: 12 MiB
      // for the loader's twelve); 256 KiB is still a few hundred items per partition per
      // fetch, and a message larger than it is still returned whole (KIP-74).
      {"max.partition.fetch.bytes", "262144"},
      // Feeds tributary_<stage>_consumer_lag (OnStatistics); 0 turns it off.
      {"statistics.interval.ms", "5000"},
  });
  std::string error;
  if (!settings_.group_instance_id.empty() &&
      conf->set("group.instance.id", settings_.group_instance_id, error) !=
          RdKafka::Conf::CONF_OK) {
    throw std::runtime_error("invalid --group-instance-id: " + error);
  }
  if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(callbacks_.get()), error) !=
          RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", static_cast<RdKafka::EventCb*>(callbacks_.get()), error) !=
          RdKafka::Conf::CONF_OK) {
    throw std::runtime_error("cannot configure Kafka consumer callbacks: " + error);
  }
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer_) throw std::runtime_error("cannot create Kafka consumer: " + error);
  if (const auto err = consumer_->subscribe(settings_.topics); err != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error("cannot subscribe to topics: " + RdKafka::err2str(err));
  }
  Log()->info("consumer {} joined group {} for {}", settings_.stage, settings_.group_id,
              fmt::format("{}", fmt::join(settings_.topics, ",")));
}

Consumer::~Consumer() { Close(std::chrono::milliseconds(0)); }

void Consumer::OnRevoke(std::function<void(const std::vector<TopicPartition>&)> listener) {
  revoke_listener_ = std::move(listener);
}

void Consumer::OnAssign(const std::vector<RdKafka::TopicPartition*>& partitions) {
  ever_assigned_ = true;
  for (const auto* tp : partitions) tracker_.Assign(From(*tp));
  assigned_.Set(static_cast<double>(tracker_.Assigned().size()));
  Log()->info("assigned {}", Describe(partitions));
}

void Consumer::OnRevokeInternal(const std::vector<RdKafka::TopicPartition*>& partitions,
                                bool lost) {
  std::vector<TopicPartition> revoked;
  std::size_t abandoned = 0;
  tracker_.WithLock([&] {
    for (const auto* tp : partitions) {
      revoked.push_back(From(*tp));
      abandoned += tracker_.Revoke(revoked.back());
      paused_.erase(revoked.back());
    }
  });
  abandoned_.Inc(static_cast<double>(abandoned));
  assigned_.Set(static_cast<double>(tracker_.Assigned().size()));
  in_flight_.Set(static_cast<double>(tracker_.InFlightTotal()));
  paused_gauge_.Set(static_cast<double>(paused_.size()));
  // Its new owner reports it now; a sum over replicas stays right.
  for (const auto& tp : revoked) lag_.Labels({tp.topic, std::to_string(tp.partition)}).Set(0);
  Log()->info("{} {}; {} in-flight messages abandoned (they will be redelivered)",
              lost ? "lost" : "revoked", Describe(partitions), abandoned);
  if (revoke_listener_) revoke_listener_(revoked);
}

void Consumer::ApplyBackpressure(bool total_full) {
  PartitionList to_pause;
  PartitionList to_resume;
  for (const auto& tp : tracker_.Assigned()) {
    const bool want_paused =
        total_full || tracker_.InFlight(tp) >= settings_.max_in_flight_per_partition;
    const bool is_paused = paused_.contains(tp);
    if (want_paused && !is_paused) {
      to_pause.Add(tp);
      paused_.insert(tp);
    } else if (!want_paused && is_paused) {
      to_resume.Add(tp);
      paused_.erase(tp);
    }
  }
  // Pausing also discards messages already fetched for the partition; librdkafka refetches
  // from the last delivered position on resume, so nothing is skipped.
  if (!to_pause.items.empty()) consumer_->pause(to_pause.items);
  if (!to_resume.items.empty()) consumer_->resume(to_resume.items);
  paused_gauge_.Set(static_cast<double>(paused_.size()));
}

void Consumer::OnStatistics(const std::string& statistics_json) {
  const auto assigned = tracker_.Assigned();
  for (const auto& lag : ParseConsumerLag(statistics_json)) {
    const TopicPartition tp{lag.topic, lag.partition};
    // Statistics may still list a partition revoked a moment ago.
    if (std::find(assigned.begin(), assigned.end(), tp) == assigned.end()) continue;
    lag_.Labels({lag.topic, std::to_string(lag.partition)}).Set(static_cast<double>(lag.lag));
  }
}

bool Consumer::WaitWhileFull(std::chrono::milliseconds timeout) {
  std::unique_lock lock(completion_mutex_);
  return !completion_cv_.wait_for(lock, timeout, [&] {
    return close_started_ || tracker_.InFlightTotal() < settings_.max_in_flight_total;
  });
}

std::optional<Message> Consumer::Poll(std::chrono::milliseconds timeout) {
  if (close_started_) return std::nullopt;
  if (tracker_.InFlightTotal() >= settings_.max_in_flight_total) {
    const auto now = std::chrono::steady_clock::now();
    if (!full_since_) full_since_ = now;
    const auto held = std::chrono::duration_cast<std::chrono::milliseconds>(now - *full_since_);
    if (held < settings_.pause_after &&
        WaitWhileFull(std::min(timeout, settings_.pause_after - held))) {
      return std::nullopt;  // still full: the caller polls again, and may then pause
    }
  }
  // Past this point full_since_ is set only when the total limit held for pause_after.
  if (tracker_.InFlightTotal() < settings_.max_in_flight_total) full_since_.reset();
  ApplyBackpressure(full_since_.has_value());
  std::unique_ptr<RdKafka::Message> raw(consumer_->consume(static_cast<int>(timeout.count())));
  // A fatal error ends the client: it consumes nothing more. Not every one reaches the event
  // callback: a static member fenced by another with its group.instance.id (a broker that lost
  // its last group writes in a crash can say so after its restart) shows only as a log line
  // and in fatal_error(). The stage must end so its supervisor starts it again (the chaos test
  // saw both embedders sit idle for minutes); its uncommitted work is redelivered.
  if (raw->err() != RdKafka::ERR_NO_ERROR) {
    std::string reason;
    if (consumer_->fatal_error(reason) != RdKafka::ERR_NO_ERROR) {
      throw std::runtime_error("Kafka consumer fatal error: " + reason);
    }
  }
  switch (raw->err()) {
    case RdKafka::ERR_NO_ERROR:
      break;
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__PARTITION_EOF:
      return std::nullopt;
    default:
      // Consume errors are informational (librdkafka keeps retrying); the event callback logs.
      return std::nullopt;
  }
  Message message = ToMessage(*raw);
  const auto tp = message.Partition();
  const auto generation = tracker_.Generation(tp);
  if (!generation || !tracker_.Begin(tp, message.offset, *generation)) {
    return std::nullopt;  // a straggler from a partition we no longer own
  }
  message.generation = *generation;
  consumed_.Labels({message.topic}).Inc();
  in_flight_.Set(static_cast<double>(tracker_.InFlightTotal()));
  // A partition that reached its own limit stops fetching now; the total limit is handled at
  // the next Poll (wait first, pause only if it holds).
  ApplyBackpressure(full_since_.has_value());
  return message;
}

bool Consumer::Complete(const Message& message) {
  const auto tp = message.Partition();
  const bool ok = tracker_.WithLock([&] {
    if (closed_) return false;
    const auto next = tracker_.Complete(tp, message.offset, message.generation);
    if (!next) return tracker_.Generation(tp) == message.generation;
    PartitionList list;
    list.Add(tp, *next);
    const auto err = consumer_->offsets_store(list.items);
    if (err != RdKafka::ERR_NO_ERROR) {
      // ERR__STATE: the partition is no longer assigned to us.
      Log()->warn("cannot store offset {} for {}[{}]: {}; the work will be redone by its next "
                  "owner", *next, tp.topic, tp.partition, RdKafka::err2str(err));
      return false;
    }
    stored_.Inc();
    return true;
  });
  in_flight_.Set(static_cast<double>(tracker_.InFlightTotal()));
  {
    // Taken (and released) before notifying, so a Poll between its check and its wait cannot
    // miss this completion.
    std::lock_guard lock(completion_mutex_);
  }
  completion_cv_.notify_all();
  return ok;
}

void Consumer::Close(std::chrono::milliseconds grace) {
  if (close_started_.exchange(true) || !consumer_) return;
  WaitForFirstAssignment();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (tracker_.InFlightTotal() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::size_t abandoned = 0;
  tracker_.WithLock([&] {
    closed_ = true;
    for (const auto& tp : tracker_.Assigned()) abandoned += tracker_.Revoke(tp);
  });
  abandoned_.Inc(static_cast<double>(abandoned));
  // close() commits the stored offsets (auto-commit) and leaves the group so the partitions
  // move to another member at once instead of after the session timeout.
  const auto err = consumer_->close();
  if (err != RdKafka::ERR_NO_ERROR) {
    Log()->warn("consumer close: {}", RdKafka::err2str(err));
  }
  Log()->info("consumer {} closed; {} in-flight messages abandoned", settings_.stage, abandoned);
}

// librdkafka before 2.3 (Debian 12 ships 2.0.2) aborts when a cooperative-sticky consumer is
// destroyed after its group join chose the assignor but before the first assignment arrived
// (rd_kafka_sticky_assignor_state_destroy: Assertion `assignor_state' failed; librdkafka issue
// 4312). A stage that stops right after starting (a bad model, a SIGTERM during a rollout) hits
// that window, so a consumer that never had an assignment finishes its join first. Messages
// fetched meanwhile are dropped unseen: nothing is stored for them.
void Consumer::WaitForFirstAssignment() {
  if (ever_assigned_) return;
  const auto deadline = std::chrono::steady_clock::now() + kFirstAssignmentWait;
  while (!ever_assigned_ && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> dropped(consumer_->consume(50));
  }
  if (!ever_assigned_) {
    Log()->info("consumer {} closing without ever joining its group", settings_.stage);
  }
}

std::map<TopicPartition, std::int64_t> Consumer::Committed(std::chrono::milliseconds timeout) {
  PartitionList list;
  for (const auto& tp : tracker_.Assigned()) list.Add(tp);
  std::map<TopicPartition, std::int64_t> out;
  if (list.items.empty()) return out;
  if (consumer_->committed(list.items, static_cast<int>(timeout.count())) ==
      RdKafka::ERR_NO_ERROR) {
    for (const auto* tp : list.items) out[From(*tp)] = tp->offset();
  }
  return out;
}

}  // namespace tributary::kafka
