#include "common/codec/codec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tributary/v1/fetch.pb.h"
#include "tributary/v1/item.pb.h"
#include "tributary/v1/source_event.pb.h"

namespace tributary::codec {
namespace {

using ::testing::HasSubstr;

v1::Item SampleItem() {
  v1::Item item;
  item.set_source_id(42);
  item.set_external_id("urn:uuid:1");
  item.set_url("https://example.com/a?utm_source=x");
  item.set_canonical_url("https://example.com/a");
  item.set_title("Grüße — ünïcode");
  item.add_authors("Ada");
  item.mutable_observed_at()->set_seconds(1'700'000'000);
  item.set_content_hash(std::string(32, '\x7f'));
  auto* enclosure = item.add_enclosures();
  enclosure->set_url("https://example.com/a.mp3");
  enclosure->set_length(123);
  return item;
}

TEST(Codec, BinaryRoundTrip) {
  const auto item = SampleItem();
  const auto bytes = Encode(item);
  const auto decoded = Decode<v1::Item>(bytes, kProtobufContentType);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->SerializeAsString(), item.SerializeAsString());
  // Without a header, binary is sniffed as binary.
  ASSERT_TRUE(Decode<v1::Item>(bytes));
}

TEST(Codec, JsonRoundTripThroughTheProtobufMapping) {
  const auto item = SampleItem();
  const auto json = ToJson(item);
  EXPECT_THAT(json, HasSubstr(R"("sourceId":"42")"));
  EXPECT_THAT(json, HasSubstr(R"("observedAt":"2023-11-14T22:13:20Z")"));
  const auto decoded = Decode<v1::Item>(json, kJsonContentType);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->SerializeAsString(), item.SerializeAsString());
}

TEST(Codec, HandWrittenJsonIsSniffedWithoutAHeader) {
  const auto request = Decode<v1::FetchRequest>(
      R"(  {"sourceId": 7, "url": "https://example.com/feed", "kind": "SOURCE_KIND_RSS",
            "request_id": "r-1"})");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->source_id(), 7);
  EXPECT_EQ(request->kind(), v1::SOURCE_KIND_RSS);
  EXPECT_EQ(request->request_id(), "r-1");  // original field names are accepted too
}

TEST(Codec, ContentTypeParametersAndCaseAreIgnored) {
  const auto json = ToJson(SampleItem());
  EXPECT_TRUE(Decode<v1::Item>(json, "Application/JSON; charset=utf-8"));
}

TEST(Codec, GarbageBinaryIsRejectedWithTypeAndSize) {
  const auto result = Decode<v1::Item>("not a protobuf at all");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kPermanent);
  EXPECT_EQ(result.error().error_class, "decode");
  EXPECT_THAT(result.error().message, HasSubstr("tributary.v1.Item"));
  EXPECT_THAT(result.error().message, HasSubstr("21 bytes"));
}

TEST(Codec, TruncatedBinaryIsRejected) {
  auto bytes = Encode(SampleItem());
  bytes.resize(bytes.size() / 2);
  EXPECT_FALSE(Decode<v1::Item>(bytes));
}

TEST(Codec, InvalidUtf8InAStringFieldIsRejected) {
  // Field 5 (title), wire type 2, length 2, bytes C3 28: an invalid UTF-8 sequence. Postgres
  // would refuse it later, so it is stopped at the door.
  const std::string bytes("\x2a\x02\xc3\x28", 4);
  EXPECT_FALSE(Decode<v1::Item>(bytes));
}

TEST(Codec, BadJsonSaysWhatWasWrong) {
  auto result = Decode<v1::FetchRequest>(R"({"sourceId": 1, "urll": "x"})", kJsonContentType);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("invalid JSON for tributary.v1.FetchRequest"));
  EXPECT_THAT(result.error().message, HasSubstr("urll"));

  result = Decode<v1::FetchRequest>(R"({"sourceId": 1,)");
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("invalid JSON"));

  result = Decode<v1::FetchRequest>(R"({"sourceId": "many"})");
  ASSERT_FALSE(result);
}

TEST(Codec, EmptyAndUnsupportedContentTypesAreRejected) {
  EXPECT_THAT(Decode<v1::Item>("").error().message, HasSubstr("empty value"));
  const auto result = Decode<v1::Item>(Encode(SampleItem()), "text/csv");
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("unsupported content-type 'text/csv'"));
}

TEST(Codec, SourceEventOneofSurvivesBothEncodings) {
  v1::SourceEvent event;
  event.set_source_id(3);
  event.set_request_id("r");
  event.mutable_fetch()->set_outcome(v1::FETCH_OUTCOME_NOT_MODIFIED);
  event.mutable_fetch()->mutable_latency()->set_nanos(5'000'000);
  for (const auto& bytes : {Encode(event), ToJson(event)}) {
    const auto decoded = Decode<v1::SourceEvent>(bytes);
    ASSERT_TRUE(decoded);
    ASSERT_TRUE(decoded->has_fetch());
    EXPECT_EQ(decoded->fetch().outcome(), v1::FETCH_OUTCOME_NOT_MODIFIED);
  }
}

}  // namespace
}  // namespace tributary::codec
