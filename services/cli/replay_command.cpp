#include "services/cli/replay_command.hpp"

#include <fmt/format.h>

#include <cctype>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/config/spec.hpp"
#include "common/kafka/settings.hpp"
#include "common/log/log.hpp"
#include "services/cli/kafka_tools.hpp"
#include "services/cli/message_json.hpp"

namespace tributary::cli {

std::optional<std::int64_t> ParseRfc3339(const std::string& text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &year, &month, &day, &hour,
                  &minute, &second, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::size_t i = 19;
  std::int64_t millis = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    int digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
      if (digits < 3) millis = millis * 10 + (text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
    for (int d = digits; d < 3; ++d) millis *= 10;
  }
  std::int64_t offset_seconds = 0;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    ++i;
  } else if (i + 6 == text.size() && (text[i] == '+' || text[i] == '-') && text[i + 3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset_seconds = (text[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::int64_t seconds = timegm(&tm) - offset_seconds;
  return seconds * 1000 + millis;
}

int ReplayCommand(const config::Source& source) {
  kafka::Settings kafka_settings;
  log::Settings log_settings;
  std::string group;
  std::string topic_name;
  std::string to_time;
  std::int64_t to_offset = -1;
  bool to_earliest = false;
  bool to_latest = false;
  bool dry_run = false;
  bool json = false;
  std::int32_t only_partition = -1;
  config::Spec spec(
      "tributary replay",
      "Sets the committed offsets of consumer group --group on --topic, so its stage re-reads "
      "(or skips) records when it next starts: to the first record at or after --to-time, to "
      "--to-offset (clamped to what the partition holds), to the earliest or to the latest "
      "record. Refused while the group has active members (stop the stage first), like "
      "kafka-consumer-groups --reset-offsets. Prints partition, current and new offset, and "
      "the lag the new offset leaves. Safe for data: every write is an idempotent, monotonic "
      "upsert, so a replay never duplicates or regresses rows.");
  kafka::AddSettings(spec, &kafka_settings);
  log::AddSettings(spec, &log_settings);
  spec.String("group", &group, "The consumer group, e.g. tributary-loader.")
      .String("topic", &topic_name, "The topic: short (embedded) or full name.")
      .String("to-time", &to_time, "RFC 3339 time, e.g. 2026-11-23T18:00:00Z.")
      .Int("to-offset", &to_offset, std::int64_t{-1}, std::numeric_limits<std::int64_t>::max(),
           "This offset in every partition (or in --partition).")
      .Bool("to-earliest", &to_earliest, "The oldest record each partition holds.")
      .Bool("to-latest", &to_latest, "The end of each partition (skip the backlog).")
      .Int("partition", &only_partition, std::int32_t{-1},
           std::numeric_limits<std::int32_t>::max(), "Only this partition (-1: all).")
      .Bool("dry-run", &dry_run, "Show the offsets that would be set; change nothing.")
      .Bool("json", &json, "Print JSON instead of a table.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(log_settings);
  if (group.empty() || topic_name.empty()) {
    std::cerr << "tributary replay: --group and --topic are required\n";
    return 2;
  }
  const int targets = (to_time.empty() ? 0 : 1) + (to_offset >= 0 ? 1 : 0) +
                      (to_earliest ? 1 : 0) + (to_latest ? 1 : 0);
  if (targets != 1) {
    std::cerr << "tributary replay: give exactly one of --to-time, --to-offset, --to-earliest, "
                 "--to-latest\n";
    return 2;
  }
  std::optional<std::int64_t> time_ms;
  if (!to_time.empty()) {
    time_ms = ParseRfc3339(to_time);
    if (!time_ms) {
      std::cerr << "tributary replay: --to-time '" << to_time
                << "' is not an RFC 3339 time (e.g. 2026-11-23T18:00:00Z)\n";
      return 2;
    }
  }
  const auto topic = ResolveTopic(kafka_settings, topic_name);
  KafkaClient client(kafka_settings, group);
  auto partitions = client.Partitions(topic);
  if (only_partition >= 0) {
    if (std::find(partitions.begin(), partitions.end(), only_partition) == partitions.end()) {
      std::cerr << "tributary replay: topic " << topic << " has no partition " << only_partition
                << "\n";
      return 2;
    }
    partitions = {only_partition};
  }
  const auto info = DescribeGroup(client, group);
  if (info.members > 0) {
    const auto message = fmt::format(
        "consumer group {} has {} active member(s) (state {}): its offsets can only be reset "
        "while it is inactive; stop its consumers first",
        group, info.members, info.state);
    if (!dry_run) {
      std::cerr << "tributary replay: " << message << "\n";
      return 1;
    }
    std::cerr << "tributary replay: note: " << message << "\n";
  }
  const auto current = client.Committed(topic, partitions);
  std::map<std::int32_t, std::int64_t> by_time;
  if (time_ms) by_time = client.OffsetsForTime(topic, partitions, *time_ms);
  std::map<std::int32_t, std::int64_t> target;
  nlohmann::json rows = nlohmann::json::array();
  for (auto p : partitions) {
    const auto w = client.QueryWatermarks(topic, p);
    std::int64_t next = 0;
    if (to_earliest) {
      next = w.low;
    } else if (to_latest) {
      next = w.high;
    } else if (to_offset >= 0) {
      next = std::clamp(to_offset, w.low, w.high);
    } else {
      next = std::clamp(by_time.at(p), w.low, w.high);
    }
    target[p] = next;
    const auto c = current.at(p);
    rows.push_back({{"partition", p},
                    {"current", c >= 0 ? nlohmann::json(c) : nlohmann::json(nullptr)},
                    {"new", next},
                    {"lag", w.high - next},
                    {"low", w.low},
                    {"high", w.high}});
  }
  if (!dry_run) AlterGroupOffsets(client, group, topic, target);
  if (json) {
    std::cout << DumpLine(nlohmann::ordered_json{{"group", group},
                           {"topic", topic},
                           {"dry_run", dry_run},
                           {"group_state", info.state},
                           {"partitions", rows}})
              << "\n";
    return 0;
  }
  std::cout << fmt::format("{} {} on {}{}\n", dry_run ? "would set" : "set", group, topic,
                           dry_run ? " (dry run: nothing changed)" : "");
  std::cout << fmt::format("{:>9} {:>12} {:>12} {:>12}\n", "PARTITION", "CURRENT", "NEW", "LAG");
  for (const auto& r : rows) {
    std::cout << fmt::format(
        "{:>9} {:>12} {:>12} {:>12}\n", r["partition"].get<int>(),
        r["current"].is_null() ? std::string("-")
                               : std::to_string(r["current"].get<std::int64_t>()),
        r["new"].get<std::int64_t>(), r["lag"].get<std::int64_t>());
  }
  return 0;
}

}  // namespace tributary::cli
