#include "services/cli/message_json.hpp"

#include <google/protobuf/util/json_util.h>

#include <array>

#include "common/codec/codec.hpp"
#include "common/codec/topics.hpp"
#include "common/kafka/dlq.hpp"
#include "tributary/v1/fetch.pb.h"

namespace tributary::cli {
namespace {

// The longest prefix of `text` (at most `limit` bytes) that does not cut a UTF-8 sequence.
std::string_view Utf8Prefix(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
  return text.substr(0, end);
}

nlohmann::ordered_json DecodeValue(const std::string& topic, const kafka::Message& message,
                                   const RenderOptions& options, nlohmann::ordered_json* out) {
  auto proto = topics::NewValue(topic);
  if (!proto) return nullptr;
  const auto content_type =
      message.Header(codec::kContentTypeHeader).value_or(std::string());
  if (auto ok = codec::DecodeInto(message.value, content_type, *proto); !ok) {
    (*out)["decode_error"] = ok.error().message;
    return nullptr;
  }
  (*out)["type"] = proto->GetTypeName();
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
  if (auto* document = dynamic_cast<v1::FetchedDocument*>(proto.get())) {
    const std::string body = document->body();
    extra["bodySize"] = body.size();
    if (!options.full) {
      const auto preview = Utf8Prefix(body, options.body_preview_bytes);
      extra["body"] = std::string(preview);
      extra["bodyTruncated"] = preview.size() < body.size();
    } else {
      extra["body"] = body;
    }
    document->clear_body();
  } else if (auto* embedded = dynamic_cast<v1::EmbeddedItem*>(proto.get())) {
    extra["vectorDims"] = embedded->vector_size();
    if (!options.full) embedded->clear_vector();
  }
  auto value = nlohmann::ordered_json::parse(codec::ToJson(*proto), nullptr, false);
  if (value.is_discarded()) return nullptr;
  for (auto& [k, v] : extra.items()) value[k] = v;
  return value;
}

}  // namespace


bool IsDlqTopic(const std::string& topic) {
  return topic.starts_with("dlq.") || topic.find(".dlq.") != std::string::npos;
}

std::string Base64(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16U) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8U) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18U) & 63U];
    out += kAlphabet[(n >> 12U) & 63U];
    out += kAlphabet[(n >> 6U) & 63U];
    out += kAlphabet[n & 63U];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16U;
    const bool two = i + 1 < bytes.size();
    if (two) n |= static_cast<unsigned char>(bytes[i + 1]) << 8U;
    out += kAlphabet[(n >> 18U) & 63U];
    out += kAlphabet[(n >> 12U) & 63U];
    out += two ? kAlphabet[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

nlohmann::ordered_json RenderMessage(const kafka::Message& message,
                                     const RenderOptions& options) {
  nlohmann::ordered_json out;
  out["topic"] = message.topic;
  out["partition"] = message.partition;
  out["offset"] = message.offset;
  out["key"] = message.key;
  out["timestamp"] = message.timestamp_ms > 0
                         ? nlohmann::ordered_json(kafka::FormatTimestamp(
                               std::chrono::system_clock::time_point(
                                   std::chrono::milliseconds(message.timestamp_ms))))
                         : nlohmann::ordered_json(nullptr);
  nlohmann::ordered_json headers = nlohmann::ordered_json::object();
  for (const auto& [name, value] : message.headers) headers[name] = value;
  out["headers"] = headers;
  std::string type_topic = message.topic;
  if (IsDlqTopic(message.topic)) {
    type_topic = message.Header(kafka::kHeaderTopic).value_or(std::string());
  }
  auto value = DecodeValue(type_topic, message, options, &out);
  if (value.is_null()) {
    if (!out.contains("decode_error") && !type_topic.empty() && !topics::NewValue(type_topic)) {
      out["decode_error"] = "no message type is known for topic " + type_topic;
    } else if (!out.contains("decode_error") && type_topic.empty()) {
      out["decode_error"] = "no x-tributary-topic header: the original type is unknown";
    }
    out["value_base64"] = Base64(message.value);
    out["value_size"] = message.value.size();
  } else {
    out["value"] = std::move(value);
  }
  return out;
}

}  // namespace tributary::cli
