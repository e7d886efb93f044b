#pragma once
// Messages for loader tests: items, embedded items and source events with chosen keys, times
// and content hashes.
#include <cmath>
#include <string>

#include "common/codec/codec.hpp"
#include "common/kafka/message.hpp"
#include "tributary/v1/item.pb.h"
#include "tributary/v1/source_event.pb.h"

namespace tributary::loader::testing {

// A 32-byte "SHA-256" that differs by `version`.
inline std::string Hash(int version) {
  std::string hash(32, '\0');
  for (int i = 0; i < 4; ++i) hash[static_cast<std::size_t>(i)] = static_cast<char>(version >> (8 * i));
  hash[31] = 'h';
  return hash;
}

inline v1::Item MakeItem(std::int64_t source_id, const std::string& external_id, int version,
                         std::int64_t observed_seconds = 1'700'000'000) {
  v1::Item item;
  item.set_source_id(source_id);
  item.set_external_id(external_id);
  item.set_url("https://example.com/" + external_id);
  item.set_canonical_url("https://example.com/" + external_id);
  item.set_title("title " + external_id + " v" + std::to_string(version));
  item.set_summary("summary v" + std::to_string(version));
  item.add_authors("Ann \"the\" Author");
  item.add_categories("news");
  auto* enclosure = item.add_enclosures();
  enclosure->set_url("https://example.com/a.mp3");
  enclosure->set_type("audio/mpeg");
  enclosure->set_length(123);
  item.set_language("en");
  item.mutable_published_at()->set_seconds(observed_seconds - 3600);
  item.mutable_observed_at()->set_seconds(observed_seconds);
  item.set_content_hash(Hash(version));
  item.set_request_id("req-" + std::to_string(observed_seconds));
  return item;
}

// A unit vector pointing mostly at axis `axis` (so nearest-neighbour results are predictable).
inline v1::EmbeddedItem MakeEmbedded(const v1::Item& item, int dims, int axis,
                                     const std::string& model = "hash") {
  v1::EmbeddedItem embedded;
  *embedded.mutable_item() = item;
  embedded.set_model_name(model);
  embedded.set_model_version("1");
  embedded.set_dims(static_cast<std::uint32_t>(dims));
  for (int i = 0; i < dims; ++i) embedded.add_vector(i == axis % dims ? 1.0F : 0.01F);
  return embedded;
}

// `embedded` as a chunking embedder sends it: `count` passages of 10 characters each, whose
// hashes and vectors depend on `version` and their number.
inline v1::EmbeddedItem WithChunks(v1::EmbeddedItem embedded, int count, int version) {
  embedded.set_chunked(true);
  for (int c = 0; c < count; ++c) {
    auto* chunk = embedded.add_chunks();
    chunk->set_number(static_cast<std::uint32_t>(c));
    chunk->set_char_begin(static_cast<std::uint32_t>(10 * c));
    chunk->set_char_end(static_cast<std::uint32_t>(10 * c + 10));
    chunk->set_content_hash(Hash(1000 * version + c));
    for (std::uint32_t i = 0; i < embedded.dims(); ++i) {
      chunk->add_vector(i == static_cast<std::uint32_t>(c) % embedded.dims() ? 1.0F : 0.02F);
    }
  }
  return embedded;
}

inline kafka::Message AsMessage(const google::protobuf::Message& value, const std::string& topic,
                                std::int64_t offset, std::int32_t partition = 0) {
  kafka::Message message;
  message.topic = topic;
  message.partition = partition;
  message.offset = offset;
  message.value = codec::Encode(value);
  return message;
}

inline v1::SourceEvent MakeFetchEvent(std::int64_t source_id, const std::string& request_id,
                                      v1::FetchOutcome outcome, int status,
                                      std::int64_t observed_seconds) {
  v1::SourceEvent event;
  event.set_source_id(source_id);
  event.set_request_id(request_id);
  event.set_url("https://example.com/feed");
  event.mutable_observed_at()->set_seconds(observed_seconds);
  auto* fetch = event.mutable_fetch();
  fetch->set_outcome(outcome);
  fetch->set_status(static_cast<std::uint32_t>(status));
  fetch->set_bytes(1000);
  fetch->mutable_latency()->set_nanos(25'000'000);
  if (outcome == v1::FETCH_OUTCOME_OK) fetch->set_etag("\"v1\"");
  if (outcome == v1::FETCH_OUTCOME_HTTP_ERROR) {
    event.set_error_class("http_" + std::to_string(status));
    event.set_error("HTTP " + std::to_string(status));
    fetch->mutable_retry_after()->set_seconds(120);
  }
  return event;
}

inline v1::SourceEvent MakeParseEvent(std::int64_t source_id, const std::string& request_id,
                                      std::int64_t observed_seconds, int items_seen) {
  v1::SourceEvent event;
  event.set_source_id(source_id);
  event.set_request_id(request_id);
  event.set_url("https://example.com/feed");
  event.mutable_observed_at()->set_seconds(observed_seconds);
  auto* parse = event.mutable_parse();
  parse->set_ok(true);
  parse->set_format("rss2");
  parse->set_items_seen(static_cast<std::uint32_t>(items_seen));
  return event;
}

}  // namespace tributary::loader::testing
