// The fetcher stage against the real broker and a local hostile server: requests in; documents
// (200 only), one SourceEvent per request (304 and failures included) and dead letters out;
// offsets committed once everything was acknowledged.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <thread>

#include "common/base/shutdown.hpp"
#include "common/codec/codec.hpp"
#include "common/kafka/producer.hpp"
#include "services/fetcher/app.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"
#include "tributary/v1/fetch.pb.h"
#include "tributary/v1/source_event.pb.h"

namespace tributary::fetcher {
namespace {

using namespace std::chrono_literals;
namespace support = ::tributary::testing;

std::string RequestValue(const std::string& url, const std::string& request_id,
                         const std::string& etag = {}) {
  v1::FetchRequest request;
  request.set_source_id(42);
  request.set_url(url);
  request.set_request_id(request_id);
  request.set_etag(etag);
  return codec::Encode(request);
}

TEST(FetcherStage, RealBrokerInAndOut) {
  const auto brokers = support::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto prefix = support::UniqueName("it-fetcher");
  const auto group = support::UniqueName("it-fetcher-group");
  for (const char* name : {"fetch.requests", "documents", "source.events", "dlq.fetcher"}) {
    support::CreateTopic(brokers, prefix + "." + name, 2);
  }
  auto server = support::StartHostileServer();
  const auto base = "http://127.0.0.1:" + std::to_string(server.port);
  const std::vector<std::pair<std::string, std::string>> requests{
      {"42", RequestValue(base + "/etag", "full")},
      {"42", RequestValue(base + "/etag", "conditional", "\"v1-feed\"")},
      {"42", RequestValue(base + "/status/404", "missing")},
      {"42", RequestValue("http://10.0.0.1/feed", "private")},
      {"42", RequestValue(base + "/garbage", "garbage")},
      {"42", RequestValue("gopher://example.com/", "gopher")},
      {"42", "\x08\xFF\xFF not protobuf"},
  };
  {
    kafka::Producer producer({.brokers = brokers}, "test");
    for (const auto& [key, value] : requests) {
      ASSERT_TRUE(producer.ProduceAndWait(
          {.topic = prefix + ".fetch.requests", .key = key, .value = value}, 30s));
    }
  }

  Shutdown::ResetForTesting();
  std::atomic<bool> stop{false};
  int exit_code = -1;
  std::thread stage([&] {
    exit_code = App::Run(
        {.env = {},
         .args = {"--kafka-brokers", brokers, "--topic-prefix", prefix, "--group-id", group,
                  "--admin-port", "0", "--admin-address", "127.0.0.1", "--log-level", "warn",
                  "--allow-cidrs", "127.0.0.0/8", "--fetch-timeout", "10s", "--per-host-rate",
                  "1000", "--per-host-burst", "1000"}},
        [&] { return !stop.load(); });
  });

  const auto events = support::ReadAll(brokers, prefix + ".source.events", 6, 60s);
  const auto dead = support::ReadAll(brokers, prefix + ".dlq.fetcher", 1, 30s);
  // Every event is in; a second document would have been produced before its event.
  const auto documents = support::ReadAll(brokers, prefix + ".documents", 2, 3s);
  std::int64_t committed_total = 0;
  for (int i = 0; i < 150 && committed_total < static_cast<std::int64_t>(requests.size()); ++i) {
    committed_total = 0;
    for (const auto& [partition, offset] :
         support::CommittedOffsets(brokers, group, prefix + ".fetch.requests", 2)) {
      if (offset > 0) committed_total += offset;
    }
    if (committed_total < static_cast<std::int64_t>(requests.size())) {
      std::this_thread::sleep_for(200ms);
    }
  }
  stop = true;
  stage.join();
  EXPECT_EQ(exit_code, 0);

  std::map<std::string, v1::SourceEvent> by_id;
  for (const auto& message : events) {
    auto event = codec::Decode<v1::SourceEvent>(message.value);
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(message.key, "42");
    by_id[event->request_id()] = *event;
  }
  ASSERT_EQ(by_id.size(), 6U);
  EXPECT_EQ(by_id["full"].fetch().outcome(), v1::FETCH_OUTCOME_OK);
  EXPECT_EQ(by_id["full"].fetch().status(), 200U);
  EXPECT_EQ(by_id["full"].fetch().etag(), "\"v1-feed\"");
  EXPECT_EQ(by_id["conditional"].fetch().outcome(), v1::FETCH_OUTCOME_NOT_MODIFIED);
  EXPECT_EQ(by_id["conditional"].fetch().status(), 304U);
  EXPECT_EQ(by_id["missing"].error_class(), "http_4xx");
  EXPECT_EQ(by_id["missing"].fetch().status(), 404U);
  EXPECT_EQ(by_id["private"].error_class(), "ssrf");
  EXPECT_EQ(by_id["private"].fetch().outcome(), v1::FETCH_OUTCOME_REFUSED);
  EXPECT_EQ(by_id["garbage"].error_class(), "protocol");
  EXPECT_EQ(by_id["gopher"].error_class(), "scheme");

  // Only the 200 became a document; the 304 produced none.
  ASSERT_EQ(documents.size(), 1U);
  auto document = codec::Decode<v1::FetchedDocument>(documents[0].value);
  ASSERT_TRUE(document.has_value());
  EXPECT_EQ(document->request().request_id(), "full");
  EXPECT_EQ(document->status(), 200U);
  EXPECT_NE(document->body().find("<rss"), std::string::npos);
  EXPECT_EQ(document->final_url(), base + "/etag");

  ASSERT_EQ(dead.size(), 1U);
  EXPECT_EQ(dead[0].Header("x-tributary-stage"), "fetcher");
  EXPECT_EQ(dead[0].Header("x-tributary-error-class"), "decode");

  EXPECT_EQ(committed_total, static_cast<std::int64_t>(requests.size()));
}

// The real binary: --help documents the settings; it fetches, and SIGTERM drains and exits 0
// with the offset committed.
TEST(FetcherBinary, FetchesThenDrainsOnSigterm) {
  const auto binary = (support::BinDir() / "tributary-fetcher").string();
  const auto help = support::RunCommand(binary + " --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--allow-cidrs"), std::string::npos);

  const auto brokers = support::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto prefix = support::UniqueName("it-fetcher-bin");
  const auto group = support::UniqueName("it-fetcher-bin-group");
  for (const char* name : {"fetch.requests", "documents", "source.events", "dlq.fetcher"}) {
    support::CreateTopic(brokers, prefix + "." + name, 1);
  }
  auto server = support::StartHostileServer();
  {
    kafka::Producer producer({.brokers = brokers}, "test");
    ASSERT_TRUE(producer.ProduceAndWait(
        {.topic = prefix + ".fetch.requests",
         .key = "42",
         .value = RequestValue("http://127.0.0.1:" + std::to_string(server.port) + "/ok", "bin")},
        30s));
  }
  support::ChildProcess fetcher({binary, "--kafka-brokers", brokers, "--topic-prefix", prefix,
                                 "--group-id", group, "--admin-port", "0", "--admin-address",
                                 "127.0.0.1", "--log-level", "warn", "--allow-cidrs",
                                 "127.0.0.0/8"});
  const auto events = support::ReadAll(brokers, prefix + ".source.events", 1, 60s);
  ASSERT_EQ(events.size(), 1U);
  std::int64_t committed = -1;
  for (int i = 0; i < 100 && committed < 1; ++i) {
    committed = support::CommittedOffsets(brokers, group, prefix + ".fetch.requests", 1)[0];
    if (committed < 1) std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(committed, 1);
  EXPECT_EQ(fetcher.Stop(SIGTERM, 40s), 0);
}

}  // namespace
}  // namespace tributary::fetcher
