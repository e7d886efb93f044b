#pragma once
// Dead-letter publishing (DESIGN §2): a poison message goes to <prefix>.dlq.<stage> with its
// original key, value and headers, plus headers that say where it came from and why, so it can
// be triaged and redriven. The caller stores the original offset only after Publish succeeds.
#include <chrono>
#include <string>

#include "common/base/result.hpp"
#include "common/kafka/message.hpp"
#include "common/kafka/producer.hpp"

namespace tributary::kafka {

inline constexpr std::string_view kHeaderStage = "x-tributary-stage";
inline constexpr std::string_view kHeaderErrorClass = "x-tributary-error-class";
inline constexpr std::string_view kHeaderError = "x-tributary-error";
inline constexpr std::string_view kHeaderTopic = "x-tributary-topic";
inline constexpr std::string_view kHeaderPartition = "x-tributary-partition";
inline constexpr std::string_view kHeaderOffset = "x-tributary-offset";
inline constexpr std::string_view kHeaderFailedAt = "x-tributary-failed-at";
// Lineage set by `tributary dlq redrive` on a re-produced record: "<dlq topic>/<partition>/
// <offset>" it came from, and how many times it has been redriven. Unlike the headers above they
// stay on the record if it fails again, so the count survives a second trip through the DLQ.
inline constexpr std::string_view kHeaderRedrivenFrom = "x-tributary-redriven-from";
inline constexpr std::string_view kHeaderRedriveCount = "x-tributary-redrive-count";

// The longest error text kept in a header; the rest is cut (a DLQ header is not a log file).
inline constexpr std::size_t kMaxErrorHeaderBytes = 2048;

// Builds the DLQ record for `original` (pure, for tests and the redrive tool).
Record MakeDlqRecord(const std::string& dlq_topic, const std::string& stage,
                     const Message& original, const Error& error,
                     std::chrono::system_clock::time_point failed_at);

class DlqPublisher {
 public:
  DlqPublisher(Producer& producer, const Settings& settings, std::string stage);

  // Produces and waits for the broker's acknowledgement. A failure is retryable: the caller
  // backs off and keeps the original offset.
  [[nodiscard]] Result<void> Publish(const Message& original, const Error& error);

  [[nodiscard]] const std::string& topic() const { return topic_; }

 private:
  Producer& producer_;
  std::string stage_;
  std::string topic_;
  metrics::Family<metrics::Counter>& published_;
};

// RFC 3339 UTC with milliseconds, e.g. 2026-11-23T18:47:37.123Z.
std::string FormatTimestamp(std::chrono::system_clock::time_point time);

}  // namespace tributary::kafka
