// SIGTERM drains a real consumer: in-flight work finishes within the grace period, its offsets
// are committed, and the group is left so a successor starts exactly there.
#include <gtest/gtest.h>

#include <csignal>
#include <future>
#include <thread>

#include "common/base/shutdown.hpp"
#include "common/kafka/producer.hpp"
#include "common/runtime/consume_loop.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"

namespace tributary {
namespace {

using namespace std::chrono_literals;

TEST(ConsumeLoop, SigtermFinishesInFlightWorkCommitsAndReportsNotReady) {
  const auto brokers = testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto topic = testing::UniqueName("it-sigterm");
  const auto group = testing::UniqueName("it-group");
  testing::CreateTopic(brokers, topic, 2);
  kafka::Settings settings{.brokers = brokers};
  {
    kafka::Producer producer(settings, "test");
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE(producer.Produce({.topic = topic, .key = std::to_string(i % 7),
                                   .value = std::to_string(i)},
                                  [](const Result<void>&) {}));
    }
    ASSERT_TRUE(producer.Flush(30s));
  }

  Shutdown::ResetForTesting();
  Shutdown::InstallSignalHandlers();
  metrics::Registry registry;
  admin::AdminServer admin({.address = "127.0.0.1", .port = 0}, registry);
  admin.Start();
  kafka::Consumer consumer(settings, {.stage = "test", .group_id = group, .topics = {topic}},
                           registry);

  // Each message is worked on asynchronously for 200 ms; after 50 were handed out, SIGTERM.
  std::vector<std::future<void>> work;
  std::atomic<int> completed{0};
  bool ready_seen = false;
  auto dispatch = [&](kafka::Message message) {
    ready_seen = ready_seen || admin.Readiness().first;
    work.push_back(std::async(std::launch::async, [&, m = std::move(message)] {
      std::this_thread::sleep_for(200ms);
      if (consumer.Complete(m)) ++completed;
    }));
    if (work.size() == 50) std::raise(SIGTERM);
  };
  runtime::RunConsumeLoop(consumer, dispatch, &admin, {.shutdown_grace = 10s});
  for (auto& w : work) w.wait();

  EXPECT_TRUE(Shutdown::Requested());
  EXPECT_EQ(work.size(), 50U) << "no new work is taken after SIGTERM";
  EXPECT_EQ(completed.load(), 50) << "in-flight work finished within the grace period";
  EXPECT_TRUE(ready_seen);
  EXPECT_FALSE(admin.Readiness().first);
  EXPECT_EQ(admin.Readiness().second, "shutting down");

  const auto committed = testing::CommittedOffsets(brokers, group, topic, 2);
  std::int64_t total = 0;
  for (const auto& [partition, offset] : committed) total += std::max<std::int64_t>(0, offset);
  EXPECT_EQ(total, 50) << "exactly the finished messages are committed";
  Shutdown::ResetForTesting();
}

}  // namespace
}  // namespace tributary
