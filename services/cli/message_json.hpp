#pragma once
// A Kafka record as one JSON object for `tributary decode` and `tributary dlq list`: where it is
// (topic, partition, offset), key, timestamp, headers, and the value decoded by the message type
// of its topic (DESIGN §2). Pure: unit-tested without a broker.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include <google/protobuf/message.h>

#include "common/kafka/message.hpp"

namespace tributary::cli {

struct RenderOptions {
  bool full = false;                   // whole document bodies and vectors
  std::size_t body_preview_bytes = 512;  // document body shown when not --full
};

// True for "<prefix>.dlq.<stage>" and "dlq.<stage>".
bool IsDlqTopic(const std::string& topic);

// {"topic","partition","offset","key","timestamp","headers":{...},"type","value":{...}}; a
// value that does not decode is shown as "value_base64" with "decode_error". DLQ records are
// decoded by their x-tributary-topic header.
// Keys keep this order (and the value's the proto's field order), for people reading lines.
nlohmann::ordered_json RenderMessage(const kafka::Message& message, const RenderOptions& options);

std::string Base64(std::string_view bytes);

// nlohmann's dump, replacing invalid UTF-8 instead of throwing.
template <typename Json>
std::string DumpLine(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace tributary::cli
