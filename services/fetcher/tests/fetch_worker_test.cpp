// The worker's delivery contract against a local server and an in-memory sink that holds the
// broker's verdicts: a message completes only after *both* of its records are acknowledged; a
// failed delivery produces the same records again (no re-fetch) and only then completes; an
// undecodable request is dead-lettered, then completed.
#include <gtest/gtest.h>

#include <thread>

#include "common/codec/codec.hpp"
#include "common/metrics/registry.hpp"
#include "common/runtime/testing/in_memory_bus.hpp"
#include "services/fetcher/fetch_worker.hpp"
#include "tests/support/child_process.hpp"

namespace tributary::fetcher {
namespace {

using namespace std::chrono_literals;

// Holds every record until the test delivers it with the broker's verdict.
struct Bus : runtime::testing::InMemoryBus {
  Bus() { hold = true; }
  std::size_t WaitFor(std::size_t count) { return WaitForHeld(count, 10s); }
};

kafka::Message RequestMessage(std::int64_t offset, const std::string& url) {
  v1::FetchRequest request;
  request.set_source_id(5);
  request.set_url(url);
  request.set_request_id("r" + std::to_string(offset));
  kafka::Message message;
  message.topic = "requests";
  message.offset = offset;
  message.value = codec::Encode(request);
  return message;
}

WorkerSettings Settings() {
  WorkerSettings settings;
  settings.documents_topic = "documents";
  settings.events_topic = "events";
  settings.engine.allow = {*ParseCidr("127.0.0.0/8")};
  settings.engine.gate.rate = 1000;
  settings.engine.gate.burst = 1000;
  settings.retry_delay = 0ms;
  return settings;
}

TEST(FetchWorker, CompletesOnlyAfterBothRecordsAreAcknowledged) {
  auto server = ::tributary::testing::StartHostileServer();
  metrics::Registry registry;
  FetcherMetrics fetcher_metrics(registry);
  Bus sink;
  FetchWorker worker(Settings(), sink, sink, sink, fetcher_metrics);
  worker.Start();
  worker.Handle(RequestMessage(7, "http://127.0.0.1:" + std::to_string(server.port) + "/ok"));
  ASSERT_EQ(sink.WaitFor(2), 2U);  // a 200: document and event
  EXPECT_EQ(sink.Deliver({}), "documents");
  EXPECT_TRUE(sink.Completed().empty());  // the event is not acknowledged yet
  EXPECT_EQ(sink.Deliver({}), "events");
  EXPECT_EQ(sink.Completed(), std::vector<std::int64_t>{7});
  worker.Stop();
}

TEST(FetchWorker, MetricsCountOutcomesAndRefusals) {
  auto server = ::tributary::testing::StartHostileServer();
  metrics::Registry registry;
  FetcherMetrics fetcher_metrics(registry);
  Bus sink;
  FetchWorker worker(Settings(), sink, sink, sink, fetcher_metrics);
  worker.Start();
  worker.Handle(RequestMessage(1, "http://127.0.0.1:" + std::to_string(server.port) + "/ok"));
  ASSERT_EQ(sink.WaitFor(2), 2U);
  worker.Handle(RequestMessage(2, "http://169.254.169.254/latest/meta-data/"));
  ASSERT_EQ(sink.WaitFor(3), 3U);
  worker.Stop();
  const auto text = registry.Expose();
  EXPECT_NE(text.find(R"(tributary_fetcher_fetches_total{outcome="ok",status_class="2xx"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(tributary_fetcher_fetches_total{outcome="refused",status_class="none"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(tributary_fetcher_failures_total{error_class="ssrf"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(tributary_fetcher_ssrf_refusals_total{class="metadata"} 1)"),
            std::string::npos)
      << text;
}

TEST(FetchWorker, FailedDeliveryIsProducedAgainThenCompletes) {
  auto server = ::tributary::testing::StartHostileServer();
  metrics::Registry registry;
  FetcherMetrics fetcher_metrics(registry);
  Bus sink;
  FetchWorker worker(Settings(), sink, sink, sink, fetcher_metrics);
  worker.Start();
  worker.Handle(
      RequestMessage(3, "http://127.0.0.1:" + std::to_string(server.port) + "/status/404"));
  ASSERT_EQ(sink.WaitFor(1), 1U);  // a 404: the event only
  sink.Deliver(Fail(ErrorKind::kRetryable, "kafka", "broker down"));
  EXPECT_TRUE(sink.Completed().empty());
  worker.Tick();  // produces the held records again
  ASSERT_EQ(sink.WaitFor(1), 1U);
  EXPECT_EQ(sink.Deliver({}), "events");
  EXPECT_EQ(sink.Completed(), std::vector<std::int64_t>{3});
  EXPECT_EQ(registry.Expose().find("tributary_fetcher_reproduced_total 1") != std::string::npos,
            true);
  worker.Stop();
}

TEST(FetchWorker, UndecodableRequestIsDeadLetteredThenCompleted) {
  metrics::Registry registry;
  FetcherMetrics fetcher_metrics(registry);
  Bus sink;
  FetchWorker worker(Settings(), sink, sink, sink, fetcher_metrics);
  worker.Start();
  kafka::Message poison;
  poison.offset = 9;
  poison.value = "\x08\xFF\xFF not protobuf";
  worker.Handle(poison);
  ASSERT_EQ(sink.DeadLettered().size(), 1U);
  EXPECT_EQ(sink.DeadLettered()[0].second, "decode");
  EXPECT_EQ(sink.Completed(), std::vector<std::int64_t>{9});
}

TEST(FetchWorker, DestroyedWithFetchesInFlightAndLateCallbacks) {
  // The lost attempt crashed here: a worker destroyed while fetches wait on a server that never
  // answers, and delivery callbacks that arrive after the worker is gone.
  auto server = ::tributary::testing::StartHostileServer();
  metrics::Registry registry;
  FetcherMetrics fetcher_metrics(registry);
  Bus sink;
  {
    FetchWorker worker(Settings(), sink, sink, sink, fetcher_metrics);
    worker.Start();
    const auto base = "http://127.0.0.1:" + std::to_string(server.port);
    worker.Handle(RequestMessage(1, base + "/ok"));
    ASSERT_EQ(sink.WaitFor(2), 2U);
    for (int i = 2; i < 12; ++i) worker.Handle(RequestMessage(i, base + "/never"));
    std::this_thread::sleep_for(200ms);
  }  // destroyed with ten fetches pending
  sink.Deliver({});
  sink.Deliver({});  // late: the worker is gone, nothing may complete or crash
  EXPECT_TRUE(sink.Completed().empty());
}

}  // namespace
}  // namespace tributary::fetcher
