// A person injects work with the real kafka-console-producer wrapper, as DESIGN §3 promises.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/codec/codec.hpp"
#include "common/kafka/consumer.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"
#include "tributary/v1/fetch.pb.h"

namespace tributary {
namespace {

using namespace std::chrono_literals;

TEST(KafkaConsole, JsonWrittenWithTheConsoleProducerIsDecoded) {
  const auto brokers = testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto topic = testing::UniqueName("it-console");
  testing::CreateTopic(brokers, topic, 1);

  const auto wrapper = testing::SourceDir() / "deploy/local/bin/kafka-console-producer";
  // Line 1 carries a content-type header and a key; line 2 is a bare value, sniffed as JSON.
  const std::string input =
      "content-type:application/json\t7|{\"sourceId\":7,\"url\":\"https://example.com/feed\","
      "\"kind\":\"SOURCE_KIND_RSS\",\"requestId\":\"console-1\"}\n"
      "NONE\t8|{\"source_id\": 8, \"url\": \"https://example.org/sitemap.xml\"}\n";
  const auto result = testing::RunCommand(
      wrapper.string() + " --bootstrap-server " + brokers + " --topic " + topic +
          " --reader-property parse.key=true --reader-property key.separator='|'"
          " --reader-property parse.headers=true --reader-property null.marker=NONE 2>&1",
      input);
  ASSERT_EQ(result.exit_code, 0) << result.output;

  kafka::Consumer consumer({.brokers = brokers},
                           {.stage = "test", .group_id = testing::UniqueName("it-group"),
                            .topics = {topic}});
  std::vector<v1::FetchRequest> requests;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (requests.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    const auto message = consumer.Poll(200ms);
    if (!message) continue;
    const auto decoded = codec::Decode<v1::FetchRequest>(
        message->value, message->Header(codec::kContentTypeHeader).value_or(""));
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(message->key, std::to_string(decoded->source_id()));
    requests.push_back(*decoded);
    EXPECT_TRUE(consumer.Complete(*message));
  }
  consumer.Close(1s);
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(requests[0].source_id(), 7);
  EXPECT_EQ(requests[0].kind(), v1::SOURCE_KIND_RSS);
  EXPECT_EQ(requests[0].request_id(), "console-1");
  EXPECT_EQ(requests[1].url(), "https://example.org/sitemap.xml");
}

}  // namespace
}  // namespace tributary
