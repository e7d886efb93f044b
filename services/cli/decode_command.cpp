#include "services/cli/decode_command.hpp"

#include <iostream>

#include "common/base/shutdown.hpp"
#include "common/config/spec.hpp"
#include "common/kafka/settings.hpp"
#include "common/log/log.hpp"
#include "services/cli/kafka_tools.hpp"
#include "services/cli/message_json.hpp"

namespace tributary::cli {

int DecodeCommand(const config::Source& source) {
  kafka::Settings kafka_settings;
  log::Settings log_settings;
  bool from_beginning = false;
  bool follow = false;
  bool full = false;
  std::int64_t max = 0;
  std::int64_t last = 10;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::vector<std::string> topics;
  config::Spec spec(
      "tributary decode",
      "Prints the records of TOPIC as JSON lines: topic, partition, offset, key, timestamp, "
      "headers and the value decoded by the topic's message type (fetch.requests: "
      "FetchRequest, documents: FetchedDocument, items: Item, embedded: EmbeddedItem, "
      "source.events: SourceEvent; dlq.<stage>: the original bytes decoded by their "
      "x-tributary-topic header, else base64). TOPIC is a short name (items, dlq.loader), "
      "prefixed with --topic-prefix, or a full topic name. Reads without a consumer group and "
      "commits nothing. By default: the last --last records of each partition, then exits.");
  kafka::AddSettings(spec, &kafka_settings);
  log::AddSettings(spec, &log_settings);
  spec.Bool("from-beginning", &from_beginning, "Start at the oldest record of each partition.")
      .Int("offset", &offset, std::int64_t{-1}, std::numeric_limits<std::int64_t>::max(),
           "Start at this offset (of --partition, or of every partition).")
      .Int("partition", &partition, std::int32_t{-1}, std::numeric_limits<std::int32_t>::max(),
           "Read only this partition (-1: all).")
      .Int("last", &last, std::int64_t{0}, std::numeric_limits<std::int64_t>::max(),
           "Without --from-beginning/--offset: start this many records before the end of each "
           "partition.")
      .Int("max", &max, std::int64_t{0}, std::numeric_limits<std::int64_t>::max(),
           "Stop after this many records in total (0: no limit).")
      .Bool("follow", &follow,
            "Keep waiting for new records (until --max or Ctrl-C) instead of stopping at the "
            "end. Alone, it prints only new records.")
      .Bool("full", &full, "Show whole document bodies and embedding vectors.")
      .Positional("TOPIC", &topics, "The topic to read.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(log_settings);
  if (topics.size() != 1) {
    std::cerr << "tributary decode: expected one TOPIC (e.g. items, dlq.loader, or a full "
                 "topic name)\n";
    return 2;
  }
  const auto topic = ResolveTopic(kafka_settings, topics.front());
  KafkaClient client(kafka_settings);
  auto partitions = client.Partitions(topic);
  if (partition >= 0) {
    if (std::find(partitions.begin(), partitions.end(), partition) == partitions.end()) {
      std::cerr << "tributary decode: topic " << topic << " has no partition " << partition
                << " (it has " << partitions.size() << ")\n";
      return 2;
    }
    partitions = {partition};
  }
  std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> ranges;
  std::map<std::int32_t, std::int64_t> starts;
  for (auto p : partitions) {
    const auto w = client.QueryWatermarks(topic, p);
    std::int64_t start = w.high;
    if (from_beginning) {
      start = w.low;
    } else if (offset >= 0) {
      start = std::clamp(offset, w.low, w.high);
    } else if (!follow) {
      start = std::max(w.low, w.high - last);
    }
    ranges[p] = {start, w.high};
    starts[p] = start;
  }
  RenderOptions options{.full = full};
  std::int64_t printed = 0;
  auto print = [&](const kafka::Message& m) {
    std::cout << DumpLine(RenderMessage(m, options)) << "\n";
    if (follow) std::cout.flush();  // a reader (jq, tail) sees each record as it arrives
    ++printed;
    return max == 0 || printed < max;
  };
  if (!follow) {
    ReadRange(client, topic, ranges, print);
    std::cout.flush();
    return 0;
  }
  client.Assign(topic, starts);
  while (!Shutdown::Requested()) {
    auto message = client.Poll(std::chrono::milliseconds(500));
    if (!message) {
      std::cout.flush();
      continue;
    }
    if (!print(*message)) break;
  }
  std::cout.flush();
  return 0;
}

}  // namespace tributary::cli
