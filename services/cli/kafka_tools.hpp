#pragma once
// What the operator commands (decode, dlq, replay, status) need from Kafka beyond the stages'
// Consumer/Producer: a plain reader that assign()s partitions at chosen offsets (no group, no
// commits), topic metadata and watermarks, and consumer-group administration (describe,
// committed offsets, alter offsets) through librdkafka's Admin API. Errors are exceptions
// naming the topic or group: these are one-shot commands, `App::Main` prints them.
#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <functional>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/kafka/message.hpp"
#include "common/kafka/settings.hpp"

namespace tributary::cli {

struct Watermarks {
  std::int64_t low = 0;
  std::int64_t high = 0;  // the offset the next message will get
};

struct GroupInfo {
  std::string state;  // "Empty", "Stable", "Dead", ... as the broker reports it
  std::size_t members = 0;
};

// "items" -> "<prefix>.items" for the names of DESIGN §2 (and dlq.<stage>); anything else is
// taken as a full topic name.
std::string ResolveTopic(const kafka::Settings& settings, const std::string& name);

// A consumer that never joins a group: for metadata, watermarks, offsets-for-times and reading
// assigned partitions. With a group id it can also read (and commit) that group's offsets
// without becoming a member.
class KafkaClient {
 public:
  explicit KafkaClient(const kafka::Settings& settings, const std::string& group_id = {});
  ~KafkaClient();
  KafkaClient(const KafkaClient&) = delete;
  KafkaClient& operator=(const KafkaClient&) = delete;

  // Partition ids of `topic`; throws when the topic does not exist.
  std::vector<std::int32_t> Partitions(const std::string& topic);
  // Every topic name the cluster has.
  std::vector<std::string> Topics();
  Watermarks QueryWatermarks(const std::string& topic, std::int32_t partition);
  // The first offset whose timestamp is >= time_ms per partition (high watermark if none).
  std::map<std::int32_t, std::int64_t> OffsetsForTime(const std::string& topic,
                                                      const std::vector<std::int32_t>& partitions,
                                                      std::int64_t time_ms);
  // This client's group's committed offsets (-1001 = none).
  std::map<std::int32_t, std::int64_t> Committed(const std::string& topic,
                                                 const std::vector<std::int32_t>& partitions);
  // Commits offsets for this client's group (the group must have no active members).
  void Commit(const std::string& topic, const std::map<std::int32_t, std::int64_t>& offsets);

  // Starts reading these partitions at these offsets.
  void Assign(const std::string& topic, const std::map<std::int32_t, std::int64_t>& offsets);
  // The next message, or nothing after `timeout`. Throws on a fatal or topic error.
  std::optional<kafka::Message> Poll(std::chrono::milliseconds timeout);

  RdKafka::KafkaConsumer& consumer() { return *consumer_; }

 private:
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  bool assigned_ = false;
};

// Reads [start, end) of each given partition (end = high watermark when reading started), in
// offset order per partition. Calls `on_message` for each; stops early when it returns false.
void ReadRange(KafkaClient& client, const std::string& topic,
               const std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>>& ranges,
               const std::function<bool(const kafka::Message&)>& on_message);

// Consumer-group administration through the Admin API.
GroupInfo DescribeGroup(KafkaClient& client, const std::string& group);
// Every (topic, partition) -> committed offset the group has.
std::map<kafka::TopicPartition, std::int64_t> GroupOffsets(KafkaClient& client,
                                                           const std::string& group);
// Sets committed offsets; the broker refuses while the group has active members.
void AlterGroupOffsets(KafkaClient& client, const std::string& group, const std::string& topic,
                       const std::map<std::int32_t, std::int64_t>& offsets);

// "\r<text>" on stderr when stderr is a terminal; nothing otherwise.
class Progress {
 public:
  Progress();
  void Update(const std::string& text);
  void Done();

 private:
  bool tty_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace tributary::cli
