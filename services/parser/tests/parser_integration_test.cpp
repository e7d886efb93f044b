// The parser stage against the real broker: documents in; items, children, outcomes and dead
// letters out; offsets committed after everything was acknowledged; the same document parsed
// twice gives identical items and hashes.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <thread>

#include "common/base/shutdown.hpp"
#include "common/codec/codec.hpp"
#include "common/codec/politeness_key.hpp"
#include "common/kafka/dlq.hpp"
#include "common/kafka/producer.hpp"
#include "common/metrics/registry.hpp"
#include "services/parser/app.hpp"
#include "services/parser/tests/fixture.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"
#include "tributary/v1/source_event.pb.h"

namespace tributary::parser {
namespace {

using namespace std::chrono_literals;

std::string DocumentValue(const std::string& body, const std::string& url,
                          const std::string& request_id) {
  v1::FetchedDocument document;
  document.mutable_request()->set_source_id(21);
  document.mutable_request()->set_request_id(request_id);
  document.mutable_request()->set_url(url);
  document.set_final_url(url);
  document.set_status(200);
  document.set_body(body);
  document.mutable_fetched_at()->set_seconds(1'760'000'000);
  return codec::Encode(document);
}

TEST(ParserStage, RealBrokerInAndOut) {
  const auto brokers = ::tributary::testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto prefix = ::tributary::testing::UniqueName("it-parser");
  const auto group = ::tributary::testing::UniqueName("it-parser-group");
  for (const char* name : {"documents", "items", "fetch.requests", "source.events", "dlq.parser"}) {
    ::tributary::testing::CreateTopic(brokers, prefix + "." + name, 2);
  }
  const auto feed = testing::ReadFixture("rss2_basic.xml");
  {
    kafka::Producer producer({.brokers = brokers}, "test");
    const auto url = "https://news.example.com/feed.xml";
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"21", DocumentValue(feed, url, "first")},
             {"21", DocumentValue(feed, url, "second")},
             {"21", DocumentValue(testing::ReadFixture("sitemap_index.xml"),
                                  "https://shop.example.com/sitemap.xml", "index")},
             {"21", DocumentValue("no feed here", url, "broken")},
             {"21", "\x08\xFF\xFF not protobuf"}}) {
      ASSERT_TRUE(producer.ProduceAndWait(
          {.topic = prefix + ".documents", .key = key, .value = value}, 30s));
    }
  }

  Shutdown::ResetForTesting();
  std::atomic<bool> stop{false};
  int exit_code = -1;
  std::thread stage([&] {
    exit_code = App::Run(
        {.env = {},
         .args = {"--kafka-brokers", brokers, "--topic-prefix", prefix, "--group-id", group,
                  "--admin-port", "0", "--admin-address", "127.0.0.1", "--log-level", "warn"}},
        [&] { return !stop.load(); });
  });

  const auto items = ::tributary::testing::ReadAll(brokers, prefix + ".items", 4, 60s);
  const auto children = ::tributary::testing::ReadAll(brokers, prefix + ".fetch.requests", 2, 30s);
  const auto events = ::tributary::testing::ReadAll(brokers, prefix + ".source.events", 4, 30s);
  const auto dead = ::tributary::testing::ReadAll(brokers, prefix + ".dlq.parser", 1, 30s);
  // Offsets are committed by auto-commit of stored offsets; give it a moment before stopping.
  std::map<std::int32_t, std::int64_t> committed;
  for (int i = 0; i < 100; ++i) {
    committed = ::tributary::testing::CommittedOffsets(brokers, group, prefix + ".documents", 2);
    std::int64_t total = 0;
    for (const auto& [partition, offset] : committed) total += offset > 0 ? offset : 0;
    if (total == 5) break;
    std::this_thread::sleep_for(100ms);
  }
  stop = true;
  stage.join();
  EXPECT_EQ(exit_code, 0);

  ASSERT_EQ(items.size(), 4U);
  std::map<std::string, std::vector<v1::Item>> by_key;
  for (const auto& message : items) {
    auto item = codec::Decode<v1::Item>(message.value);
    ASSERT_TRUE(item) << item.error().message;
    EXPECT_EQ(message.key, "21/" + item->external_id());
    by_key[message.key].push_back(*item);
  }
  ASSERT_EQ(by_key.size(), 2U) << "two items, each seen twice";
  for (const auto& [key, versions] : by_key) {
    ASSERT_EQ(versions.size(), 2U) << key;
    EXPECT_EQ(versions[0].content_hash(), versions[1].content_hash());
    EXPECT_EQ(versions[0].title(), versions[1].title());
    EXPECT_EQ(versions[0].canonical_url(), versions[1].canonical_url());
    EXPECT_NE(versions[0].request_id(), versions[1].request_id());
  }

  ASSERT_EQ(children.size(), 2U);
  for (const auto& message : children) {
    auto child = codec::Decode<v1::FetchRequest>(message.value);
    ASSERT_TRUE(child);
    // Keyed by the child's own host, like every fetch request (issue 20).
    EXPECT_EQ(message.key, "shop.example.com");
    EXPECT_EQ(message.key, codec::PolitenessKey(child->url(), codec::PolitenessScope::kHost));
    EXPECT_EQ(child->kind(), v1::SOURCE_KIND_SITEMAP);
    EXPECT_EQ(child->parent_request_id(), "index");
  }

  ASSERT_EQ(events.size(), 4U);
  int parse_errors = 0;
  for (const auto& message : events) {
    auto event = codec::Decode<v1::SourceEvent>(message.value);
    ASSERT_TRUE(event);
    if (event->error_class() == "parse") {
      ++parse_errors;
      EXPECT_EQ(event->request_id(), "broken");
    }
  }
  EXPECT_EQ(parse_errors, 1);

  ASSERT_EQ(dead.size(), 1U);
  EXPECT_EQ(dead[0].Header(kafka::kHeaderErrorClass), "decode");
  EXPECT_EQ(dead[0].Header(kafka::kHeaderStage), "parser");

  std::int64_t total = 0;
  for (const auto& [partition, offset] : committed) total += offset > 0 ? offset : 0;
  EXPECT_EQ(total, 5) << "every document's offset committed";

  const auto exposed = metrics::Default().Expose();
  EXPECT_NE(exposed.find(R"(tributary_parser_documents_total{format="rss2",outcome="ok"} 2)"),
            std::string::npos)
      << exposed;
  EXPECT_NE(
      exposed.find(R"(tributary_parser_documents_total{format="unknown",outcome="parse_error"} 1)"),
      std::string::npos);
  EXPECT_NE(exposed.find("tributary_parser_items_total 4"), std::string::npos);
}

// A replica SIGKILLed (it says no goodbye to its group) and restarted with the same
// --group-instance-id takes its partitions back at once. Without static membership the group
// would wait for the dead member's session to expire: 45 s here, set on purpose far above the
// 30 s this test waits, so the test fails unless the instance id does its work.
TEST(ParserStage, AKilledReplicaRestartedWithItsInstanceIdResumesAtOnce) {
  const auto brokers = ::tributary::testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto prefix = ::tributary::testing::UniqueName("it-parser-static");
  const auto group = ::tributary::testing::UniqueName("it-parser-static-group");
  for (const char* name : {"documents", "items", "fetch.requests", "source.events", "dlq.parser"}) {
    ::tributary::testing::CreateTopic(brokers, prefix + "." + name, 3);
  }
  const auto log = std::filesystem::temp_directory_path() / (prefix + ".log");
  const auto start = [&] {
    return std::make_unique<::tributary::testing::ChildProcess>(std::vector<std::string>{
        "/bin/sh", "-c",
        "exec " + (::tributary::testing::BinDir() / "tributary-parser").string() +
            " --kafka-brokers " + brokers + " --topic-prefix " + prefix + " --group-id " + group +
            " --group-instance-id parser-0 --kafka session.timeout.ms=45000 --admin-port 0 "
            "2>>" + log.string()});
  };
  const auto feed = testing::ReadFixture("rss2_basic.xml");
  kafka::Producer producer({.brokers = brokers}, "test");
  const auto send = [&](const std::string& request_id) {
    // Keys spread over every partition, so the restarted replica must own them all again.
    for (int key = 0; key < 6; ++key) {
      ASSERT_TRUE(producer.ProduceAndWait({.topic = prefix + ".documents",
                                           .key = std::to_string(key),
                                           .value = DocumentValue(feed, "https://a.example/f",
                                                                  request_id)},
                                          30s));
    }
  };
  auto parser = start();
  send("before");
  ASSERT_EQ(::tributary::testing::ReadAll(brokers, prefix + ".source.events", 6, 60s).size(), 6U)
      << ::tributary::testing::RunCommand("tail -n 20 " + log.string()).output;
  parser->Stop(SIGKILL, 10s);
  parser = start();
  send("after");
  const auto parsed_after = [&] {
    int count = 0;
    for (const auto& m : ::tributary::testing::ReadAll(brokers, prefix + ".source.events",
                                                       1000, 2s)) {
      const auto event = codec::Decode<v1::SourceEvent>(m.value);
      if (event && event->request_id() == "after") ++count;
    }
    return count;
  };
  EXPECT_TRUE(::tributary::testing::WaitFor([&] { return parsed_after() == 6; }, 30s, 1s))
      << "the restarted replica resumed every partition well before the 45 s session timeout\n"
      << ::tributary::testing::RunCommand("tail -n 20 " + log.string()).output;
  EXPECT_EQ(parser->Stop(SIGTERM, 30s), 0);
  std::filesystem::remove(log);
}

}  // namespace
}  // namespace tributary::parser
