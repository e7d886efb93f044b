// The pure parts of decode, dlq, replay and search: topic names, rendering of each message
// type, RFC 3339 times, and the shape of the nearest-neighbour query.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/codec/codec.hpp"
#include "common/kafka/dlq.hpp"
#include "services/cli/app.hpp"
#include "services/cli/kafka_tools.hpp"
#include "services/cli/message_json.hpp"
#include "services/cli/replay_command.hpp"
#include "services/cli/search_command.hpp"
#include "tributary/v1/fetch.pb.h"
#include "tributary/v1/item.pb.h"
#include "tributary/v1/source_event.pb.h"

namespace tributary::cli {
namespace {

using ::testing::HasSubstr;

kafka::Message At(std::string topic, std::string value, kafka::Headers headers = {}) {
  return {.topic = std::move(topic), .partition = 2, .offset = 41, .key = "7/a",
          .value = std::move(value), .headers = std::move(headers),
          .timestamp_ms = 1'700'000'000'123};
}

TEST(ResolveTopic, ShortNamesGetThePrefixFullNamesStay) {
  kafka::Settings settings;
  settings.topic_prefix = "prod";
  EXPECT_EQ(ResolveTopic(settings, "items"), "prod.items");
  EXPECT_EQ(ResolveTopic(settings, "source.events"), "prod.source.events");
  EXPECT_EQ(ResolveTopic(settings, "dlq.loader"), "prod.dlq.loader");
  EXPECT_EQ(ResolveTopic(settings, "staging.items"), "staging.items");
}

TEST(RenderMessage, ItemWithHeadersKeyAndTimestamp) {
  v1::Item item;
  item.set_source_id(7);
  item.set_title("Hello");
  const auto json =
      RenderMessage(At("t.items", codec::Encode(item), {{"traceparent", "00-x"}}), {});
  EXPECT_EQ(json["topic"], "t.items");
  EXPECT_EQ(json["partition"], 2);
  EXPECT_EQ(json["offset"], 41);
  EXPECT_EQ(json["key"], "7/a");
  EXPECT_EQ(json["timestamp"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(json["headers"]["traceparent"], "00-x");
  EXPECT_EQ(json["type"], "tributary.v1.Item");
  EXPECT_EQ(json["value"]["title"], "Hello");
  EXPECT_EQ(json["value"]["sourceId"], "7");
}

TEST(RenderMessage, DocumentBodyIsCutOnACharacterWithItsSize) {
  v1::FetchedDocument document;
  document.set_status(200);
  document.set_body(std::string(10, 'a') + "\xC3\xA9" + std::string(100, 'b'));
  const auto json = RenderMessage(At("t.documents", codec::Encode(document)),
                                  {.body_preview_bytes = 11});
  EXPECT_EQ(json["value"]["bodySize"], 112);
  EXPECT_EQ(json["value"]["body"], std::string(10, 'a')) << "never half a UTF-8 character";
  EXPECT_EQ(json["value"]["bodyTruncated"], true);
  const auto full = RenderMessage(At("t.documents", codec::Encode(document)), {.full = true});
  EXPECT_EQ(full["value"]["body"].get<std::string>().size(), 112U);
}

TEST(RenderMessage, EmbeddingVectorIsElidedToItsDimsUnlessFull) {
  v1::EmbeddedItem embedded;
  embedded.set_dims(3);
  for (float f : {0.5F, 0.25F, 0.125F}) embedded.add_vector(f);
  const auto json = RenderMessage(At("t.embedded", codec::Encode(embedded)), {});
  EXPECT_EQ(json["value"]["vectorDims"], 3);
  EXPECT_FALSE(json["value"].contains("vector"));
  const auto full = RenderMessage(At("t.embedded", codec::Encode(embedded)), {.full = true});
  EXPECT_EQ(full["value"]["vector"].size(), 3U);
}

TEST(RenderMessage, DlqRecordsDecodeByTheirOriginalTopicElseBase64) {
  v1::SourceEvent event;
  event.set_source_id(3);
  const auto ok = RenderMessage(
      At("t.dlq.loader", codec::Encode(event),
         {{std::string(kafka::kHeaderTopic), "t.source.events"}}), {});
  EXPECT_EQ(ok["type"], "tributary.v1.SourceEvent");
  EXPECT_EQ(ok["value"]["sourceId"], "3");
  const auto garbage = RenderMessage(
      At("t.dlq.loader", "\xFF\xFEnot proto", {{std::string(kafka::kHeaderTopic), "t.items"}}), {});
  EXPECT_FALSE(garbage.contains("value"));
  EXPECT_EQ(garbage["value_base64"], Base64("\xFF\xFEnot proto"));
  EXPECT_THAT(garbage["decode_error"].get<std::string>(), HasSubstr("Item"));
  EXPECT_NO_THROW(DumpLine(garbage));
}

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
}

TEST(ParseRfc3339, UtcOffsetsAndFractions) {
  EXPECT_EQ(ParseRfc3339("2023-11-14T22:13:20Z"), 1'700'000'000'000);
  EXPECT_EQ(ParseRfc3339("2023-11-14T22:13:20.123Z"), 1'700'000'000'123);
  EXPECT_EQ(ParseRfc3339("2023-11-15T00:13:20.5+02:00"), 1'700'000'000'500);
  EXPECT_EQ(ParseRfc3339("2023-11-14T21:13:20-01:00"), 1'700'000'000'000);
  EXPECT_FALSE(ParseRfc3339("2023-11-14"));
  EXPECT_FALSE(ParseRfc3339("2023-11-14T22:13:20"));
  EXPECT_FALSE(ParseRfc3339("yesterday"));
  EXPECT_FALSE(ParseRfc3339("2023-13-14T22:13:20Z"));
}

TEST(OperatorCommands, HelpAndUsageErrorsNeedNoBrokerOrDatabase) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"decode", "--help"}, {"dlq", "--help"}, {"dlq", "list", "--help"},
           {"dlq", "redrive", "--help"}, {"replay", "--help"}, {"status", "--help"},
           {"search", "--help"}}) {
    EXPECT_EQ(App::Run({.args = args}), 0) << args[0];
  }
  EXPECT_EQ(App::Run({.args = {"dlq"}}), 2);
  EXPECT_EQ(App::Run({.args = {"dlq", "purge"}}), 2);
  EXPECT_EQ(App::Run({.args = {"decode"}}), 2) << "no TOPIC";
  EXPECT_EQ(App::Run({.args = {"dlq", "redrive"}}), 2) << "no STAGE";
  EXPECT_EQ(App::Run({.args = {"replay", "--group", "g"}}), 2) << "no --topic";
  EXPECT_EQ(App::Run({.args = {"replay", "--group", "g", "--topic", "t", "--to-earliest",
                               "--to-latest"}}),
            2)
      << "two targets";
  EXPECT_EQ(App::Run({.args = {"replay", "--group", "g", "--topic", "t", "--to-time", "noon"}}),
            2);
  EXPECT_EQ(App::Run({.args = {"search"}}), 2) << "no TEXT";
  EXPECT_THROW(App::Run({.args = {"decode", "items", "--max", "-3"}}), config::ConfigError);
}

}  // namespace
}  // namespace tributary::cli
