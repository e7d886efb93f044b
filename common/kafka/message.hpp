#pragma once
// A consumed record, owned (copied out of librdkafka) so workers can hold it past the next poll.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tributary::kafka {

using Headers = std::vector<std::pair<std::string, std::string>>;

std::optional<std::string> FindHeader(const Headers& headers, std::string_view name);

// The W3C trace context header (DESIGN §7), carried from a FetchRequest to the rows.
inline constexpr std::string_view kTraceparentHeader = "traceparent";

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

struct Message {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string key;
  std::string value;
  Headers headers;
  std::int64_t timestamp_ms = 0;
  // The assignment generation the message was consumed under: a completion from an older
  // generation (the partition was revoked meanwhile) is ignored, never stored.
  std::uint64_t generation = 0;

  [[nodiscard]] TopicPartition Partition() const { return {topic, partition}; }
  [[nodiscard]] std::optional<std::string> Header(std::string_view name) const {
    return FindHeader(headers, name);
  }
  // Its traceparent header, or empty.
  [[nodiscard]] std::string Traceparent() const {
    return Header(kTraceparentHeader).value_or(std::string());
  }
};

// The headers of a record derived from `parent`: `first` (e.g. its content type), then a
// traceparent continuing the parent's trace with a new span (a new trace if it had none).
Headers DerivedHeaders(const Message& parent, Headers first);

}  // namespace tributary::kafka
