#include "common/kafka/dlq.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "common/log/log.hpp"
#include "common/log/mask.hpp"
#include "common/log/trace_scope.hpp"

namespace tributary::kafka {

std::string FormatTimestamp(std::chrono::system_clock::time_point time) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", utc, ms % 1000);
}

Record MakeDlqRecord(const std::string& dlq_topic, const std::string& stage,
                     const Message& original, const Error& error,
                     std::chrono::system_clock::time_point failed_at) {
  Record record{.topic = dlq_topic, .key = original.key, .value = original.value};
  // The original headers travel along (content-type, traceparent, redrive lineage), ours
  // follow; a message that failed before keeps its earlier x-tributary-* headers out of the way.
  for (const auto& header : original.headers) {
    const bool lineage = header.first == kHeaderRedrivenFrom || header.first == kHeaderRedriveCount;
    if (lineage || header.first.rfind("x-tributary-", 0) != 0) record.headers.push_back(header);
  }
  std::string text = log::Mask(error.message);
  if (text.size() > kMaxErrorHeaderBytes) {
    text.resize(kMaxErrorHeaderBytes);
    text += "...";
  }
  record.headers.emplace_back(kHeaderStage, stage);
  record.headers.emplace_back(kHeaderErrorClass, error.error_class);
  record.headers.emplace_back(kHeaderError, std::move(text));
  record.headers.emplace_back(kHeaderTopic, original.topic);
  record.headers.emplace_back(kHeaderPartition, std::to_string(original.partition));
  record.headers.emplace_back(kHeaderOffset, std::to_string(original.offset));
  record.headers.emplace_back(kHeaderFailedAt, FormatTimestamp(failed_at));
  return record;
}

DlqPublisher::DlqPublisher(Producer& producer, const Settings& settings, std::string stage)
    : producer_(producer),
      stage_(std::move(stage)),
      topic_(settings.Topic("dlq." + stage_)),
      published_(metrics::Default().CounterFamily(
          fmt::format("tributary_{}_dlq_total", stage_),
          "Messages sent to the dead-letter topic, by error class.", {"error_class"})) {}

Result<void> DlqPublisher::Publish(const Message& original, const Error& error) {
  auto record = MakeDlqRecord(topic_, stage_, original, error, std::chrono::system_clock::now());
  auto result = producer_.ProduceAndWait(std::move(record), std::chrono::seconds(30));
  if (result) {
    const log::TraceScope trace(original.Traceparent());
    published_.Labels({error.error_class}).Inc();
    log::Get("kafka")->warn("sent {}[{}]@{} to {}: {}: {}", original.topic, original.partition,
                            original.offset, topic_, error.error_class, error.message);
  }
  return result;
}

}  // namespace tributary::kafka
