// runtime::StageHost with a small stage on the real broker: every message reaches the stage,
// derived records go out through the host's producer, poison through its DLQ publisher, and an
// orderly stop stops the stage, then commits every offset whose work was acknowledged.
#include <gtest/gtest.h>

#include <atomic>

#include "common/base/clock.hpp"
#include "common/base/shutdown.hpp"
#include "common/kafka/dlq.hpp"
#include "common/kafka/producer.hpp"
#include "common/runtime/dead_letterer.hpp"
#include "common/runtime/outbox.hpp"
#include "common/runtime/stage_host.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"

namespace tributary {
namespace {

using namespace std::chrono_literals;

TEST(StageHost, RunsAStageFromItsFirstMessageToAnOrderlyStop) {
  const auto brokers = testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto prefix = testing::UniqueName("it-host");
  const auto group = testing::UniqueName("it-host-group");
  for (const char* topic : {"in", "out", "dlq.echo"}) {
    testing::CreateTopic(brokers, prefix + "." + topic, 1);
  }
  const kafka::Settings settings{.brokers = brokers, .topic_prefix = prefix};
  {
    kafka::Producer producer(settings, "test");
    for (const char* value : {"a", "poison", "b"}) {
      ASSERT_TRUE(
          producer.ProduceAndWait({.topic = prefix + ".in", .key = "k", .value = value}, 30s));
    }
  }

  Shutdown::ResetForTesting();
  metrics::Registry registry;
  runtime::StageHost host({.stage = "echo",
                           .kafka = settings,
                           .admin = {.address = "127.0.0.1", .port = 0},
                           .group_id = group,
                           .topics = {prefix + ".in"}},
                          registry);
  runtime::DeadLetterer dead_letterer(host.dead_letters(), host.completions());
  runtime::Outbox outbox(host.sink(), dead_letterer, host.completions(), SteadyClock::Instance(),
                         {});
  std::atomic<int> handled{0};
  std::vector<std::string> events;  // the poll thread's view, in order
  const int status = host.Run(
      {.handle =
           [&](kafka::Message message) {
             if (message.value == "poison") {
               dead_letterer.DeadLetter(message, {ErrorKind::kPermanent, "decode", "not echo"});
             } else {
               outbox.Emit(message, {{.topic = prefix + ".out", .key = message.key,
                                      .value = "echo:" + message.value}});
             }
             ++handled;
           },
       .tick =
           [&] {
             outbox.Tick();
             return true;
           },
       .stop = [&] { events.push_back("stop after " + std::to_string(handled.load())); }},
      [&] { return handled.load() < 3; });

  EXPECT_EQ(status, 0);
  EXPECT_EQ(events, std::vector<std::string>{"stop after 3"});
  const auto out = testing::ReadAll(brokers, prefix + ".out", 2, 20s);
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[0].value, "echo:a");
  EXPECT_EQ(out[1].value, "echo:b");
  EXPECT_TRUE(out[0].Header("traceparent").has_value());
  const auto dead = testing::ReadAll(brokers, prefix + ".dlq.echo", 1, 20s);
  ASSERT_EQ(dead.size(), 1U);
  EXPECT_EQ(dead[0].Header(kafka::kHeaderStage), "echo");
  EXPECT_EQ(testing::CommittedOffsets(brokers, group, prefix + ".in", 1).at(0), 3)
      << "every message's work was acknowledged before the host committed and left";
}

}  // namespace
}  // namespace tributary
