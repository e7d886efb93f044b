#include "services/cli/dlq_command.hpp"

#include <fmt/format.h>

#include <atomic>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/codec/topics.hpp"
#include "common/config/spec.hpp"
#include "common/kafka/dlq.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/log.hpp"
#include "common/log/mask.hpp"
#include "services/cli/kafka_tools.hpp"
#include "services/cli/message_json.hpp"
#include "services/cli/subcommands.hpp"

namespace tributary::cli {
namespace {

constexpr std::string_view kUsage = R"(Usage: tributary dlq SUBCOMMAND [flags]

Subcommands:
  list [STAGE]     Dead-lettered records with why and where they came from, newest last.
  redrive STAGE    Re-produce a stage's dead-lettered records to their original topics.

Run `tributary dlq SUBCOMMAND --help` for its flags.
)";

struct Common {
  kafka::Settings kafka;
  log::Settings log;
  bool json = false;
  void AddTo(config::Spec& spec) {
    kafka::AddSettings(spec, &kafka);
    log::AddSettings(spec, &log);
    spec.Bool("json", &json, "Print JSON instead of text.");
  }
};

std::string HeaderOr(const kafka::Message& m, std::string_view name, std::string fallback = {}) {
  return m.Header(name).value_or(std::move(fallback));
}

int RedriveCount(const kafka::Message& m) {
  const auto text = HeaderOr(m, kafka::kHeaderRedriveCount, "0");
  try {
    return std::stoi(text);
  } catch (const std::exception&) {
    return 0;
  }
}

nlohmann::json Entry(const kafka::Message& m) {
  return {{"dlq_topic", m.topic},
          {"partition", m.partition},
          {"offset", m.offset},
          {"key", m.key},
          {"stage", HeaderOr(m, kafka::kHeaderStage)},
          {"error_class", HeaderOr(m, kafka::kHeaderErrorClass)},
          {"error", HeaderOr(m, kafka::kHeaderError)},
          {"original_topic", HeaderOr(m, kafka::kHeaderTopic)},
          {"original_partition", HeaderOr(m, kafka::kHeaderPartition)},
          {"original_offset", HeaderOr(m, kafka::kHeaderOffset)},
          {"failed_at", HeaderOr(m, kafka::kHeaderFailedAt)},
          {"redrive_count", RedriveCount(m)},
          {"value_size", m.value.size()}};
}

// The DLQ topics of this deployment: "<prefix>.dlq.<stage>" (one, or all that exist).
std::vector<std::string> DlqTopics(KafkaClient& client, const kafka::Settings& settings,
                                   const std::string& stage) {
  const auto prefix = settings.Topic("dlq.");
  std::vector<std::string> out;
  for (const auto& topic : client.Topics()) {
    if (!topic.starts_with(prefix)) continue;
    if (stage.empty() || topic == prefix + stage) out.push_back(topic);
  }
  return out;
}

int List(const config::Source& source) {
  Common common;
  std::int64_t max = 100;
  std::vector<std::string> stages;
  config::Spec spec("tributary dlq list",
                    "Lists dead-lettered records of one stage (or of every <prefix>.dlq.* topic) "
                    "with their headers: original topic/partition/offset, error class, reason, "
                    "stage and time, newest last; then, in text, the number of records per "
                    "stage. Reads without a consumer group and commits nothing. "
                    "`tributary decode dlq.<stage>` shows the values.");
  common.AddTo(spec);
  spec.Int("max", &max, std::int64_t{0}, std::numeric_limits<std::int64_t>::max(),
           "Show at most the newest N records (0: all).")
      .Positional("STAGE", &stages, "fetcher, parser, embedder, loader, ...");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(common.log);
  if (stages.size() > 1) {
    std::cerr << "tributary dlq list: expected at most one STAGE\n";
    return 2;
  }
  const std::string stage = stages.empty() ? "" : stages.front();
  KafkaClient client(common.kafka);
  const auto topics = DlqTopics(client, common.kafka, stage);
  if (!stage.empty() && topics.empty()) {
    std::cerr << "tributary dlq list: no topic " << common.kafka.Topic(topics::Dlq(stage))
              << " (stage " << stage << " has never dead-lettered anything)\n";
  }
  std::vector<kafka::Message> records;
  std::map<std::string, std::int64_t> depth;  // per topic: high - low
  for (const auto& topic : topics) {
    std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> ranges;
    depth[topic] = 0;
    for (auto p : client.Partitions(topic)) {
      const auto w = client.QueryWatermarks(topic, p);
      depth[topic] += w.high - w.low;
      ranges[p] = {max == 0 ? w.low : std::max(w.low, w.high - max), w.high};
    }
    KafkaClient reader(common.kafka);
    ReadRange(reader, topic, ranges, [&](const kafka::Message& m) {
      records.push_back(m);
      return true;
    });
  }
  std::stable_sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return std::tie(a.timestamp_ms, a.topic, a.partition, a.offset) <
           std::tie(b.timestamp_ms, b.topic, b.partition, b.offset);
  });
  if (max > 0 && records.size() > static_cast<std::size_t>(max)) {
    records.erase(records.begin(), records.end() - max);
  }
  if (common.json) {
    nlohmann::json out = {{"entries", nlohmann::json::array()},
                          {"depth", nlohmann::json::object()}};
    for (const auto& m : records) out["entries"].push_back(Entry(m));
    for (const auto& [topic, n] : depth) out["depth"][topic] = n;
    std::cout << DumpLine(out) << "\n";
    return 0;
  }
  for (const auto& m : records) {
    std::cout << fmt::format("{} {}/{}/{}  stage={} class={} from {}[{}]@{} key={}{}\n  {}\n",
                             HeaderOr(m, kafka::kHeaderFailedAt, "?"), m.topic, m.partition,
                             m.offset, HeaderOr(m, kafka::kHeaderStage, "?"),
                             HeaderOr(m, kafka::kHeaderErrorClass, "?"),
                             HeaderOr(m, kafka::kHeaderTopic, "?"),
                             HeaderOr(m, kafka::kHeaderPartition, "?"),
                             HeaderOr(m, kafka::kHeaderOffset, "?"), m.key,
                             RedriveCount(m) > 0
                                 ? fmt::format(" redriven {}x", RedriveCount(m))
                                 : std::string(),
                             HeaderOr(m, kafka::kHeaderError));
  }
  if (!records.empty()) std::cout << "\n";
  std::cout << fmt::format("{:<40} {:>10}\n", "DLQ topic", "records");
  for (const auto& [topic, n] : depth) std::cout << fmt::format("{:<40} {:>10}\n", topic, n);
  if (depth.empty()) std::cout << "(no DLQ topics under " << common.kafka.Topic("dlq.*") << ")\n";
  return 0;
}

// One record being redriven; the flags are set on the producer's delivery thread.
struct Pending {
  kafka::Message record;
  std::atomic<bool> done{false};
  std::atomic<bool> ok{false};
  std::string error;  // written before `done`
};

int Redrive(const config::Source& source) {
  Common common;
  std::string error_class;
  std::string group;
  bool dry_run = false;
  std::int64_t max = 0;
  std::vector<std::string> stages;
  config::Spec spec(
      "tributary dlq redrive",
      "Re-produces each record of <prefix>.dlq.STAGE (original key, value and headers) to its "
      "original topic (x-tributary-topic) with x-tributary-redriven-from = <dlq topic>/"
      "<partition>/<offset> and x-tributary-redrive-count incremented, waits for the broker's "
      "acknowledgements, then commits the consumer group tributary-dlq-redrive-STAGE, so each "
      "record is redriven once. With --error-class only that class is redriven, under its own "
      "group (tributary-dlq-redrive-STAGE.CLASS), so the other records stay redrivable; a later "
      "run without the filter redrives those records again (harmless: every write is "
      "idempotent, DESIGN §4).");
  common.AddTo(spec);
  spec.String("error-class", &error_class, "Redrive only records of this x-tributary-error-class.")
      .String("group", &group, "Consumer group that remembers what was redriven (default above).")
      .Bool("dry-run", &dry_run, "Print what would be redriven; produce and commit nothing.")
      .Int("max", &max, std::int64_t{0}, std::numeric_limits<std::int64_t>::max(),
           "Redrive at most N records (0: all).")
      .Positional("STAGE", &stages, "fetcher, parser, embedder, loader, ...");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(common.log);
  if (stages.size() != 1) {
    std::cerr << "tributary dlq redrive: expected one STAGE (e.g. loader)\n";
    return 2;
  }
  const auto& stage = stages.front();
  const auto topic = common.kafka.Topic(topics::Dlq(stage));
  if (group.empty()) {
    group = "tributary-dlq-redrive-" + stage + (error_class.empty() ? "" : "." + error_class);
  }
  KafkaClient client(common.kafka, group);
  std::vector<std::int32_t> partitions;
  {
    KafkaClient probe(common.kafka);
    const auto topics = DlqTopics(probe, common.kafka, stage);
    if (topics.empty()) {
      std::cerr << "tributary dlq redrive: no topic " << topic << " (stage " << stage
                << " has never dead-lettered anything)\n";
      return 1;
    }
    partitions = probe.Partitions(topic);
  }
  const auto committed = client.Committed(topic, partitions);
  std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> ranges;
  std::int64_t total = 0;
  for (auto p : partitions) {
    const auto w = client.QueryWatermarks(topic, p);
    const auto c = committed.at(p);
    const auto start = c < 0 ? w.low : std::clamp(c, w.low, w.high);
    ranges[p] = {start, w.high};
    total += w.high - start;
  }

  std::unique_ptr<kafka::Producer> producer;
  if (!dry_run) producer = std::make_unique<kafka::Producer>(common.kafka, "cli");
  std::vector<std::unique_ptr<Pending>> pending;
  nlohmann::json skipped = nlohmann::json::array();
  std::map<std::int32_t, std::int64_t> passed;  // per partition: the next offset after the scan
  std::int64_t redriven = 0;
  std::int64_t seen = 0;
  std::string produce_error;
  Progress progress;
  ReadRange(client, topic, ranges, [&](const kafka::Message& m) {
    ++seen;
    progress.Update(fmt::format("dlq redrive {}: {}/{} read, {} redriven", stage, seen, total,
                                redriven));
    const auto original_topic = HeaderOr(m, kafka::kHeaderTopic);
    if (!error_class.empty() && HeaderOr(m, kafka::kHeaderErrorClass) != error_class) {
      passed[m.partition] = m.offset + 1;
      return true;
    }
    if (original_topic.empty()) {
      auto entry = Entry(m);
      entry["reason"] = "no x-tributary-topic header: the original topic is unknown";
      skipped.push_back(entry);
      passed[m.partition] = m.offset + 1;
      return true;
    }
    auto item = std::make_unique<Pending>();
    item->record = m;
    if (!dry_run) {
      kafka::Record record{.topic = original_topic, .key = m.key, .value = m.value};
      for (const auto& h : m.headers) {
        if (!h.first.starts_with("x-tributary-")) record.headers.push_back(h);
      }
      record.headers.emplace_back(kafka::kHeaderRedrivenFrom,
                                  fmt::format("{}/{}/{}", m.topic, m.partition, m.offset));
      record.headers.emplace_back(kafka::kHeaderRedriveCount, std::to_string(RedriveCount(m) + 1));
      auto* raw = item.get();
      auto enqueued = producer->Produce(std::move(record), [raw](const Result<void>& result) {
        if (!result) raw->error = result.error().message;
        raw->ok = result.has_value();
        raw->done = true;
      });
      if (!enqueued) {
        produce_error = enqueued.error().message;
        return false;
      }
    }
    pending.push_back(std::move(item));
    passed[m.partition] = m.offset + 1;
    ++redriven;
    return max == 0 || redriven < max;
  });
  if (producer && !producer->Flush(std::chrono::seconds(60))) {
    produce_error = "timed out waiting for the broker's acknowledgements";
  }
  progress.Done();

  // Commit per partition up to the first record that was not acknowledged.
  std::map<std::int32_t, std::int64_t> commit = passed;
  nlohmann::json done = nlohmann::json::array();
  nlohmann::json failed = nlohmann::json::array();
  for (const auto& item : pending) {
    const auto& m = item->record;
    auto entry = Entry(m);
    entry["redrive_count"] = RedriveCount(m) + 1;
    if (dry_run || (item->done && item->ok)) {
      done.push_back(entry);
      continue;
    }
    entry["reason"] = log::Mask(item->done ? item->error : "not acknowledged");
    failed.push_back(entry);
    auto it = commit.find(m.partition);
    if (it != commit.end() && it->second > m.offset) it->second = m.offset;
  }
  if (!dry_run) {
    for (auto it = commit.begin(); it != commit.end();) {
      it = it->second <= ranges.at(it->first).first ? commit.erase(it) : std::next(it);
    }
    client.Commit(topic, commit);
  }

  if (common.json) {
    nlohmann::json out = {{"stage", stage},     {"dlq_topic", topic}, {"group", group},
                          {"dry_run", dry_run}, {"redriven", done},   {"skipped", skipped},
                          {"failed", failed}};
    std::cout << DumpLine(out) << "\n";
  } else {
    for (const auto& e : done) {
      std::cout << fmt::format("{} {}/{}/{} -> {} (class {}, redrive #{})\n",
                               dry_run ? "would redrive" : "redriven",
                               e["dlq_topic"].get<std::string>(), e["partition"].get<int>(),
                               e["offset"].get<std::int64_t>(),
                               e["original_topic"].get<std::string>(),
                               e["error_class"].get<std::string>(), e["redrive_count"].get<int>());
    }
    for (const auto& e : skipped) {
      std::cout << fmt::format("skipped {}/{}/{}: {}\n", e["dlq_topic"].get<std::string>(),
                               e["partition"].get<int>(), e["offset"].get<std::int64_t>(),
                               e["reason"].get<std::string>());
    }
    for (const auto& e : failed) {
      std::cout << fmt::format("FAILED {}/{}/{}: {}\n", e["dlq_topic"].get<std::string>(),
                               e["partition"].get<int>(), e["offset"].get<std::int64_t>(),
                               e["reason"].get<std::string>());
    }
    std::cout << fmt::format("{}{} record(s) {}, {} skipped, {} failed (group {})\n",
                             dry_run ? "dry run: " : "", done.size(),
                             dry_run ? "would be redriven" : "redriven", skipped.size(),
                             failed.size(), group);
  }
  if (!produce_error.empty()) {
    std::cerr << "tributary dlq redrive: " << log::Mask(produce_error) << "\n";
  }
  return failed.empty() && produce_error.empty() ? 0 : 1;
}

}  // namespace

int DlqCommand(const config::Source& source) {
  return RunSubcommand(source, "tributary dlq", kUsage, {{"list", List}, {"redrive", Redrive}});
}

}  // namespace tributary::cli
