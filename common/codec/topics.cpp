#include "common/codec/topics.hpp"

#include "tributary/v1/fetch.pb.h"
#include "tributary/v1/source_event.pb.h"

namespace tributary::topics {

std::string Dlq(std::string_view stage) { return "dlq." + std::string(stage); }

std::string SourceKey(std::int64_t source_id) { return std::to_string(source_id); }

std::string ItemKey(const v1::Item& item) {
  return std::to_string(item.source_id()) + "/" + item.external_id();
}

bool Is(std::string_view topic, std::string_view short_name) {
  if (topic == short_name) return true;
  return topic.size() > short_name.size() && topic.ends_with(short_name) &&
         topic[topic.size() - short_name.size() - 1] == '.';
}

std::unique_ptr<google::protobuf::Message> NewValue(std::string_view topic) {
  if (Is(topic, kFetchRequests)) return std::make_unique<v1::FetchRequest>();
  if (Is(topic, kDocuments)) return std::make_unique<v1::FetchedDocument>();
  if (Is(topic, kItems)) return std::make_unique<v1::Item>();
  if (Is(topic, kEmbedded)) return std::make_unique<v1::EmbeddedItem>();
  if (Is(topic, kSourceEvents)) return std::make_unique<v1::SourceEvent>();
  return nullptr;
}

}  // namespace tributary::topics
