// The stage logic against an in-memory bus: what is produced, and when the offset may be stored.
#include "services/parser/core.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/codec/codec.hpp"
#include "common/runtime/testing/in_memory_bus.hpp"
#include "services/parser/tests/fixture.hpp"

namespace tributary::parser {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

kafka::Message DocumentMessage(std::int64_t offset, const std::string& body) {
  v1::FetchedDocument document;
  document.mutable_request()->set_source_id(11);
  document.mutable_request()->set_request_id("r-" + std::to_string(offset));
  document.mutable_request()->set_url("https://news.example.com/feed.xml");
  document.set_final_url("https://news.example.com/feed.xml");
  document.set_status(200);
  document.set_content_type("application/rss+xml");
  document.set_body(body);
  document.mutable_fetched_at()->set_seconds(1'760'000'000);
  return {.topic = "t.documents",
          .partition = 0,
          .offset = offset,
          .key = "11",
          .value = codec::Encode(document),
          .headers = {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}};
}

class CoreTest : public ::testing::Test {
 protected:
  CoreTest() { bus_.hold = true; }  // deliveries wait for the test
  metrics::Registry registry_;
  StageMetrics metrics_{registry_};
  runtime::testing::InMemoryBus bus_;
  Core core_{{.items_topic = "t.items",
              .requests_topic = "t.fetch.requests",
              .events_topic = "t.source.events",
              .retry_delay = std::chrono::milliseconds(0)},
             bus_,
             bus_,
             bus_,
             metrics_};
};

TEST_F(CoreTest, ItemsThenEventAndOffsetOnlyAfterEveryAck) {
  core_.Handle(DocumentMessage(5, testing::ReadFixture("rss2_basic.xml")));
  const auto items = bus_.OnTopic("t.items");
  ASSERT_EQ(items.size(), 2U);
  EXPECT_EQ(items[0].key, "11/urn:news:1001");
  EXPECT_EQ(items[1].key, "11/https://News.Example.com:443/posts/second/?fbclid=abc");
  // The document's trace goes on with the parser's own span, the same on every derived record.
  const auto trace = kafka::FindHeader(items[0].headers, "traceparent").value_or("");
  EXPECT_EQ(trace.substr(0, 36), "00-4bf92f3577b34da6a3ce929d0e0e4736-");
  EXPECT_NE(trace, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(kafka::FindHeader(items[1].headers, "traceparent"), trace);
  auto item = codec::Decode<v1::Item>(items[0].value);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->source_id(), 11);
  EXPECT_EQ(item->request_id(), "r-5");
  EXPECT_EQ(item->observed_at().seconds(), 1'760'000'000);
  const auto sent = bus_.Sent();
  ASSERT_EQ(sent.size(), 3U);
  EXPECT_EQ(sent.back().topic, "t.source.events");
  auto event = codec::Decode<v1::SourceEvent>(sent.back().value);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->source_id(), 11);
  EXPECT_TRUE(event->parse().ok());
  EXPECT_EQ(event->parse().format(), "rss2");
  EXPECT_EQ(event->parse().items_seen(), 2U);
  EXPECT_TRUE(event->error_class().empty());
  // The source's own document describes the source (the loader's feeds row).
  EXPECT_EQ(event->parse().feed().title(), "River & Stream News");
  ASSERT_EQ(event->parse().feed().authors_size(), 1);
  EXPECT_EQ(event->parse().feed().authors(0).email(), "editor@example.com");
  EXPECT_EQ(event->parse().feed().updated_at().seconds(), 1749520800);

  EXPECT_THAT(bus_.Completed(), IsEmpty()) << "nothing acknowledged yet";
  bus_.Deliver();
  bus_.Deliver();
  EXPECT_THAT(bus_.Completed(), IsEmpty()) << "one delivery still outstanding";
  bus_.Deliver();
  EXPECT_THAT(bus_.Completed(), ElementsAre(5));
}

TEST_F(CoreTest, AChildDocumentsMetadataIsNotTheSources) {
  auto message = DocumentMessage(6, testing::ReadFixture("rss2_basic.xml"));
  v1::FetchedDocument document;
  ASSERT_TRUE(document.ParseFromString(message.value));
  document.mutable_request()->set_depth(1);
  document.mutable_request()->set_parent_request_id("sitemap-1");
  message.value = codec::Encode(document);
  core_.Handle(message);
  auto event = codec::Decode<v1::SourceEvent>(bus_.OnTopic("t.source.events").at(0).value);
  ASSERT_TRUE(event);
  EXPECT_TRUE(event->parse().ok());
  EXPECT_FALSE(event->parse().has_feed());
}

TEST_F(CoreTest, UnparsableDocumentIsAnOutcomeNotADeadLetter) {
  core_.Handle(DocumentMessage(6, "this is not a feed"));
  ASSERT_EQ(bus_.Sent().size(), 1U);
  auto event = codec::Decode<v1::SourceEvent>(bus_.Sent()[0].value);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->error_class(), "parse");
  EXPECT_EQ(event->error(), "unrecognised document: not XML, HTML, JSON or a list of URLs");
  EXPECT_FALSE(event->parse().ok());
  bus_.DeliverAll();
  EXPECT_THAT(bus_.Completed(), ElementsAre(6));
  EXPECT_THAT(bus_.DeadLettered(), IsEmpty());
}

TEST_F(CoreTest, UndecodableMessageIsDeadLetteredThenCompleted) {
  auto message = DocumentMessage(7, "");
  message.value = "\xFF\xFF garbage";
  core_.Handle(message);
  EXPECT_THAT(bus_.Sent(), IsEmpty());
  EXPECT_THAT(bus_.DeadLettered(), ElementsAre(Pair(7, "decode")));
  EXPECT_THAT(bus_.Completed(), ElementsAre(7));
}

TEST_F(CoreTest, FailedDeliveryIsProducedAgainAndOnlyThenCompleted) {
  core_.Handle(DocumentMessage(8, testing::ReadFixture("sitemap_index.xml")));
  ASSERT_EQ(bus_.Sent().size(), 3U);  // two children, one event
  // Children are keyed by their own host, like every fetch request.
  EXPECT_EQ(bus_.OnTopic("t.fetch.requests")[0].key, "shop.example.com");
  bus_.DeliverAll(Fail(ErrorKind::kRetryable, "kafka.timeout", "message timed out"));
  EXPECT_THAT(bus_.Completed(), IsEmpty());
  EXPECT_EQ(core_.PendingRetries(), 1U);
  core_.Tick();
  const auto sent = bus_.Sent();
  ASSERT_EQ(sent.size(), 6U) << "every record produced again";
  EXPECT_EQ(sent[3].value, sent[0].value) << "same bytes the second time";
  EXPECT_EQ(sent[3].headers, sent[0].headers) << "and the same trace span";
  bus_.DeliverAll();
  EXPECT_THAT(bus_.Completed(), ElementsAre(8));
}

}  // namespace
}  // namespace tributary::parser
