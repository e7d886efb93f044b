#include "services/cli/kafka_tools.hpp"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <array>
#include <iostream>
#include <set>
#include <stdexcept>

#include "common/codec/topics.hpp"
#include "common/kafka/client_config.hpp"

namespace tributary::cli {
namespace {

constexpr int kTimeoutMs = 30'000;

// Owns a C topic-partition list.
struct PartitionList {
  rd_kafka_topic_partition_list_t* list;
  explicit PartitionList(int size = 1) : list(rd_kafka_topic_partition_list_new(size)) {}
  ~PartitionList() { rd_kafka_topic_partition_list_destroy(list); }
  PartitionList(const PartitionList&) = delete;
  PartitionList& operator=(const PartitionList&) = delete;
};

// Runs one Admin API request on `client`'s handle and returns its result event (owned).
struct Event {
  rd_kafka_event_t* event = nullptr;
  ~Event() {
    if (event != nullptr) rd_kafka_event_destroy(event);
  }
};

template <typename Start>
void RunAdmin(KafkaClient& client, rd_kafka_admin_op_t op, Event* out, const std::string& what,
              Start start) {
  rd_kafka_t* handle = client.consumer().c_ptr();
  rd_kafka_queue_t* queue = rd_kafka_queue_new(handle);
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(handle, op);
  char error[512];
  rd_kafka_AdminOptions_set_request_timeout(options, kTimeoutMs, error, sizeof error);
  start(handle, options, queue);
  out->event = rd_kafka_queue_poll(queue, kTimeoutMs + 5'000);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  if (out->event == nullptr) throw std::runtime_error(what + ": timed out");
  if (rd_kafka_event_error(out->event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(what + ": " + rd_kafka_event_error_string(out->event));
  }
}

void CheckPartitions(const rd_kafka_topic_partition_list_t* partitions, const std::string& what) {
  if (partitions == nullptr) return;
  for (int i = 0; i < partitions->cnt; ++i) {
    const auto& p = partitions->elems[i];
    if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error(fmt::format("{}: {}[{}]: {}", what, p.topic, p.partition,
                                           rd_kafka_err2str(p.err)));
    }
  }
}

}  // namespace

std::string ResolveTopic(const kafka::Settings& settings, const std::string& name) {
  for (const auto short_name : topics::kPipeline) {
    if (name == short_name) return settings.Topic(name);
  }
  if (name.starts_with("dlq.")) return settings.Topic(name);
  return name;
}

KafkaClient::KafkaClient(const kafka::Settings& settings, const std::string& group_id) {
  std::map<std::string, std::string> defaults = {
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "false"},
      // An assigned offset that retention removed meanwhile: continue at the oldest record.
      {"auto.offset.reset", "earliest"},
      {"client.id", "tributary-cli"},
      // A placeholder group is never joined (no subscribe) and never committed to.
      {"group.id", group_id.empty() ? "tributary-cli-reader" : group_id},
  };
  auto conf = kafka::MakeConf(settings, defaults);
  std::string error;
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer_) throw std::runtime_error("cannot create a Kafka client: " + error);
}

KafkaClient::~KafkaClient() {
  if (assigned_) consumer_->unassign();
  consumer_->close();
}

std::vector<std::int32_t> KafkaClient::Partitions(const std::string& topic) {
  std::unique_ptr<RdKafka::Topic> handle;
  std::string error;
  handle.reset(RdKafka::Topic::create(consumer_.get(), topic, nullptr, error));
  if (!handle) throw std::runtime_error("topic " + topic + ": " + error);
  RdKafka::Metadata* raw = nullptr;
  const auto err = consumer_->metadata(false, handle.get(), &raw, kTimeoutMs);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (err != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error("cannot read metadata of topic " + topic + " from " +
                             "the brokers: " + RdKafka::err2str(err));
  }
  for (const auto* t : *metadata->topics()) {
    if (t->topic() != topic) continue;
    if (t->err() != RdKafka::ERR_NO_ERROR || t->partitions()->empty()) {
      throw std::runtime_error("topic " + topic + " does not exist (" +
                               RdKafka::err2str(t->err()) + ")");
    }
    std::vector<std::int32_t> out;
    for (const auto* p : *t->partitions()) out.push_back(p->id());
    std::sort(out.begin(), out.end());
    return out;
  }
  throw std::runtime_error("topic " + topic + " does not exist");
}

std::vector<std::string> KafkaClient::Topics() {
  RdKafka::Metadata* raw = nullptr;
  const auto err = consumer_->metadata(true, nullptr, &raw, kTimeoutMs);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (err != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error("cannot list topics: " + RdKafka::err2str(err));
  }
  std::vector<std::string> out;
  for (const auto* t : *metadata->topics()) out.push_back(t->topic());
  std::sort(out.begin(), out.end());
  return out;
}

Watermarks KafkaClient::QueryWatermarks(const std::string& topic, std::int32_t partition) {
  Watermarks w;
  const auto err =
      consumer_->query_watermark_offsets(topic, partition, &w.low, &w.high, kTimeoutMs);
  if (err != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error(fmt::format("cannot read the offsets of {}[{}]: {}", topic, partition,
                                         RdKafka::err2str(err)));
  }
  return w;
}

std::map<std::int32_t, std::int64_t> KafkaClient::OffsetsForTime(
    const std::string& topic, const std::vector<std::int32_t>& partitions, std::int64_t time_ms) {
  std::vector<RdKafka::TopicPartition*> list;
  for (auto p : partitions) list.push_back(RdKafka::TopicPartition::create(topic, p, time_ms));
  const auto err = consumer_->offsetsForTimes(list, kTimeoutMs);
  std::map<std::int32_t, std::int64_t> out;
  std::string failure;
  for (auto* tp : list) {
    if (tp->err() != RdKafka::ERR_NO_ERROR) failure = RdKafka::err2str(tp->err());
    out[tp->partition()] = tp->offset();
  }
  RdKafka::TopicPartition::destroy(list);
  if (err != RdKafka::ERR_NO_ERROR || !failure.empty()) {
    throw std::runtime_error("cannot look up offsets by time in " + topic + ": " +
                             (failure.empty() ? RdKafka::err2str(err) : failure));
  }
  // -1: no message at or after that time: the end of the partition.
  for (auto& [partition, offset] : out) {
    if (offset < 0) offset = QueryWatermarks(topic, partition).high;
  }
  return out;
}

std::map<std::int32_t, std::int64_t> KafkaClient::Committed(
    const std::string& topic, const std::vector<std::int32_t>& partitions) {
  std::vector<RdKafka::TopicPartition*> list;
  for (auto p : partitions) list.push_back(RdKafka::TopicPartition::create(topic, p));
  const auto err = consumer_->committed(list, kTimeoutMs);
  std::map<std::int32_t, std::int64_t> out;
  for (const auto* tp : list) out[tp->partition()] = tp->offset();
  RdKafka::TopicPartition::destroy(list);
  if (err != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error("cannot read committed offsets of " + topic + ": " +
                             RdKafka::err2str(err));
  }
  return out;
}

void KafkaClient::Commit(const std::string& topic,
                         const std::map<std::int32_t, std::int64_t>& offsets) {
  if (offsets.empty()) return;
  std::vector<RdKafka::TopicPartition*> list;
  for (const auto& [p, o] : offsets) list.push_back(RdKafka::TopicPartition::create(topic, p, o));
  const auto err = consumer_->commitSync(list);
  std::string failure;
  for (const auto* tp : list) {
    if (tp->err() != RdKafka::ERR_NO_ERROR) failure = RdKafka::err2str(tp->err());
  }
  RdKafka::TopicPartition::destroy(list);
  if (err != RdKafka::ERR_NO_ERROR || !failure.empty()) {
    throw std::runtime_error("cannot commit offsets of " + topic + ": " +
                             (failure.empty() ? RdKafka::err2str(err) : failure));
  }
}

void KafkaClient::Assign(const std::string& topic,
                         const std::map<std::int32_t, std::int64_t>& offsets) {
  std::vector<RdKafka::TopicPartition*> list;
  for (const auto& [p, o] : offsets) list.push_back(RdKafka::TopicPartition::create(topic, p, o));
  const auto err = consumer_->assign(list);
  RdKafka::TopicPartition::destroy(list);
  if (err != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error("cannot assign " + topic + ": " + RdKafka::err2str(err));
  }
  assigned_ = true;
}

std::optional<kafka::Message> KafkaClient::Poll(std::chrono::milliseconds timeout) {
  std::unique_ptr<RdKafka::Message> raw(consumer_->consume(static_cast<int>(timeout.count())));
  switch (raw->err()) {
    case RdKafka::ERR_NO_ERROR: break;
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR__PARTITION_EOF: return std::nullopt;
    case RdKafka::ERR__TRANSPORT:
    case RdKafka::ERR__ALL_BROKERS_DOWN: return std::nullopt;  // librdkafka reconnects
    default:
      throw std::runtime_error(fmt::format("reading {}: {}", raw->topic_name(), raw->errstr()));
  }
  return kafka::ToMessage(*raw);
}

void ReadRange(KafkaClient& client, const std::string& topic,
               const std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>>& ranges,
               const std::function<bool(const kafka::Message&)>& on_message) {
  std::map<std::int32_t, std::int64_t> starts;
  std::set<std::int32_t> pending;
  for (const auto& [p, range] : ranges) {
    if (range.first < range.second) {
      starts[p] = range.first;
      pending.insert(p);
    }
  }
  if (pending.empty()) return;
  client.Assign(topic, starts);
  // Every record waited for exists (it is below the end seen at start), so a long silence means
  // the broker is unreachable: say so instead of hanging.
  constexpr auto kIdleLimit = std::chrono::seconds(60);
  auto last_message = std::chrono::steady_clock::now();
  while (!pending.empty()) {
    auto message = client.Poll(std::chrono::milliseconds(500));
    if (!message) {
      if (std::chrono::steady_clock::now() - last_message > kIdleLimit) {
        throw std::runtime_error(fmt::format(
            "no records arrived from {} for {} s although {} partition(s) have more; is the "
            "broker reachable?",
            topic, kIdleLimit.count(), pending.size()));
      }
      continue;
    }
    last_message = std::chrono::steady_clock::now();
    const auto end = ranges.at(message->partition).second;
    if (message->offset >= end) {
      pending.erase(message->partition);
      continue;
    }
    if (!on_message(*message)) return;
    // Offsets can have gaps (compaction, transaction markers): done when the next is past end.
    if (message->offset + 1 >= end) pending.erase(message->partition);
  }
}

GroupInfo DescribeGroup(KafkaClient& client, const std::string& group) {
  Event result;
  const char* groups[] = {group.c_str()};
  RunAdmin(client, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, &result,
           "cannot describe consumer group " + group,
           [&](rd_kafka_t* handle, rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
             rd_kafka_DescribeConsumerGroups(handle, groups, 1, options, queue);
           });
  size_t count = 0;
  const auto** descriptions = rd_kafka_DescribeConsumerGroups_result_groups(
      rd_kafka_event_DescribeConsumerGroups_result(result.event), &count);
  if (count != 1) throw std::runtime_error("cannot describe consumer group " + group);
  if (const auto* error = rd_kafka_ConsumerGroupDescription_error(descriptions[0])) {
    throw std::runtime_error("cannot describe consumer group " + group + ": " +
                             rd_kafka_error_string(error));
  }
  return {.state = rd_kafka_consumer_group_state_name(
              rd_kafka_ConsumerGroupDescription_state(descriptions[0])),
          .members = rd_kafka_ConsumerGroupDescription_member_count(descriptions[0])};
}

std::map<kafka::TopicPartition, std::int64_t> GroupOffsets(KafkaClient& client,
                                                           const std::string& group) {
  Event result;
  auto* request = rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), nullptr);
  RunAdmin(client, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, &result,
           "cannot read the offsets of consumer group " + group,
           [&](rd_kafka_t* handle, rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
             rd_kafka_ListConsumerGroupOffsets(handle, &request, 1, options, queue);
           });
  rd_kafka_ListConsumerGroupOffsets_destroy(request);
  size_t count = 0;
  const auto** groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(result.event), &count);
  std::map<kafka::TopicPartition, std::int64_t> out;
  for (size_t g = 0; g < count; ++g) {
    if (const auto* error = rd_kafka_group_result_error(groups[g])) {
      throw std::runtime_error("cannot read the offsets of consumer group " + group + ": " +
                               rd_kafka_error_string(error));
    }
    const auto* partitions = rd_kafka_group_result_partitions(groups[g]);
    for (int i = 0; partitions != nullptr && i < partitions->cnt; ++i) {
      const auto& p = partitions->elems[i];
      if (p.err == RD_KAFKA_RESP_ERR_NO_ERROR && p.offset >= 0) {
        out[{p.topic, p.partition}] = p.offset;
      }
    }
  }
  return out;
}

void AlterGroupOffsets(KafkaClient& client, const std::string& group, const std::string& topic,
                       const std::map<std::int32_t, std::int64_t>& offsets) {
  PartitionList partitions(static_cast<int>(offsets.size()));
  for (const auto& [p, o] : offsets) {
    rd_kafka_topic_partition_list_add(partitions.list, topic.c_str(), p)->offset = o;
  }
  const std::string what = "cannot set the offsets of consumer group " + group;
  Event result;
  auto* request = rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), partitions.list);
  RunAdmin(client, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, &result, what,
           [&](rd_kafka_t* handle, rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
             rd_kafka_AlterConsumerGroupOffsets(handle, &request, 1, options, queue);
           });
  rd_kafka_AlterConsumerGroupOffsets_destroy(request);
  size_t count = 0;
  const auto** groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
      rd_kafka_event_AlterConsumerGroupOffsets_result(result.event), &count);
  for (size_t g = 0; g < count; ++g) {
    if (const auto* error = rd_kafka_group_result_error(groups[g])) {
      throw std::runtime_error(what + ": " + rd_kafka_error_string(error));
    }
    CheckPartitions(rd_kafka_group_result_partitions(groups[g]), what);
  }
}

Progress::Progress() : tty_(isatty(STDERR_FILENO) == 1) {}

void Progress::Update(const std::string& text) {
  if (!tty_) return;
  const auto now = std::chrono::steady_clock::now();
  if (shown_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  shown_ = true;
  std::cerr << "\r\033[K" << text << std::flush;
}

void Progress::Done() {
  if (tty_ && shown_) std::cerr << "\r\033[K" << std::flush;
  shown_ = false;
}

}  // namespace tributary::cli
