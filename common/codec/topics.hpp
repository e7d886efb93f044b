#pragma once
// The topics of DESIGN §2 in one place: short names (the full name is "<prefix>.<name>",
// kafka::Settings::Topic), the key of each topic's records, and the value type each carries.
// Stages, the CLI (decode, status, replay, dlq) and tests use these, never string literals.
#include <google/protobuf/message.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tributary/v1/item.pb.h"

namespace tributary::topics {

inline constexpr std::string_view kFetchRequests = "fetch.requests";  // FetchRequest
inline constexpr std::string_view kDocuments = "documents";           // FetchedDocument
inline constexpr std::string_view kItems = "items";                   // Item
inline constexpr std::string_view kEmbedded = "embedded";             // EmbeddedItem
inline constexpr std::string_view kSourceEvents = "source.events";    // SourceEvent
inline constexpr std::array<std::string_view, 5> kPipeline = {kFetchRequests, kDocuments, kItems,
                                                              kEmbedded, kSourceEvents};

// "dlq.<stage>": the dead letters of one stage (original key and value, error headers).
std::string Dlq(std::string_view stage);

// Keys. Documents and source events: the source, so one source's records stay in order.
std::string SourceKey(std::int64_t source_id);
// Items and embedded items: "<source_id>/<external_id>", so every version of one item lands on
// one partition, in order.
std::string ItemKey(const v1::Item& item);

// An empty message of the type `topic` carries ("<prefix>.items" or "items"); null for a topic
// that is not one of the pipeline's.
std::unique_ptr<google::protobuf::Message> NewValue(std::string_view topic);

// Whether `topic` is `short_name` with or without a prefix ("t.items" and "items" are items).
bool Is(std::string_view topic, std::string_view short_name);

}  // namespace tributary::topics
