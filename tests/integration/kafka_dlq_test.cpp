// A poison message goes to the DLQ with every DESIGN §2 header, and only then is its offset
// stored.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/codec/codec.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/dlq.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"
#include "tributary/v1/item.pb.h"

namespace tributary {
namespace {

using namespace std::chrono_literals;
using ::testing::MatchesRegex;

TEST(KafkaDlq, PoisonMessageLandsInTheDlqWithEveryHeader) {
  const auto brokers = testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto prefix = testing::UniqueName("it-dlq");
  kafka::Settings settings{.brokers = brokers, .topic_prefix = prefix};
  const auto input = settings.Topic("items");
  testing::CreateTopic(brokers, input, 1);
  testing::CreateTopic(brokers, settings.Topic("dlq.loader"), 1);

  kafka::Producer producer(settings, "test");
  ASSERT_TRUE(producer.ProduceAndWait({.topic = input, .key = "3/abc",
                                       .value = "this is not an Item",
                                       .headers = {{"traceparent", "00-abc-def-01"}}},
                                      10s));

  const auto group = testing::UniqueName("it-group");
  {
    kafka::Consumer consumer(settings, {.stage = "test", .group_id = group, .topics = {input}});
    kafka::DlqPublisher dlq(producer, settings, "loader");
    std::optional<kafka::Message> message;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!message && std::chrono::steady_clock::now() < deadline) message = consumer.Poll(200ms);
    ASSERT_TRUE(message.has_value());
    const auto decoded = codec::Decode<v1::Item>(message->value);
    ASSERT_FALSE(decoded);
    ASSERT_TRUE(dlq.Publish(*message, decoded.error()));
    EXPECT_TRUE(consumer.Complete(*message));
    consumer.Close(5s);
  }

  const auto dead = testing::ReadAll(brokers, settings.Topic("dlq.loader"), 1, 60s);
  ASSERT_EQ(dead.size(), 1U);
  const auto& record = dead.front();
  EXPECT_EQ(record.key, "3/abc");
  EXPECT_EQ(record.value, "this is not an Item");
  EXPECT_EQ(record.Header("x-tributary-stage"), "loader");
  EXPECT_EQ(record.Header("x-tributary-error-class"), "decode");
  EXPECT_THAT(record.Header("x-tributary-error").value_or(""),
              ::testing::HasSubstr("tributary.v1.Item"));
  EXPECT_EQ(record.Header("x-tributary-topic"), input);
  EXPECT_EQ(record.Header("x-tributary-partition"), "0");
  EXPECT_EQ(record.Header("x-tributary-offset"), "0");
  EXPECT_THAT(record.Header("x-tributary-failed-at").value_or(""),
              MatchesRegex(R"(20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]+\.[0-9]+Z)"));
  EXPECT_EQ(record.Header("traceparent"), "00-abc-def-01") << "original headers travel along";

  // The poison message's offset was committed after the DLQ write: the group moved past it.
  const auto committed = testing::CommittedOffsets(brokers, group, input, 1);
  EXPECT_EQ(committed.at(0), 1);
}

}  // namespace
}  // namespace tributary
