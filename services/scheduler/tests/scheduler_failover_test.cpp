// Two real tributary-scheduler processes on one database: SIGKILL the active one (no goodbye to
// PostgreSQL but a closed socket), and the standby takes over well within the lease, schedules
// what became due, and no source is ever requested twice.
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <thread>

#include "common/codec/codec.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/admin_probe.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"
#include "tributary/v1/fetch.pb.h"

namespace tributary::scheduler {
namespace {

using namespace std::chrono_literals;
using ::tributary::testing::ChildProcess;
using ::tributary::testing::ScrapeMetric;
using ::tributary::testing::WaitFor;

struct Replica {
  int port = 0;
  std::unique_ptr<ChildProcess> process;
};

Replica StartReplica(const std::string& brokers, const std::string& prefix,
                     const std::string& database, const std::string& log) {
  Replica replica;
  replica.port = ::tributary::testing::FreePort();
  const auto binary = (::tributary::testing::BinDir() / "tributary-scheduler").string();
  replica.process = std::make_unique<ChildProcess>(std::vector<std::string>{
      "/bin/sh", "-c",
      "exec " + binary + " --kafka-brokers " + brokers + " --topic-prefix " + prefix +
          " --pg-dsn dbname=" + database + " --admin-port " + std::to_string(replica.port) +
          " --round-interval 200ms 2>>" + log});
  return replica;
}

TEST(SchedulerFailover, TheStandbyTakesOverAfterAKillAndNothingIsScheduledTwice) {
  const auto brokers = ::tributary::testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto prefix = ::tributary::testing::UniqueName("it-failover");
  const auto topic = prefix + ".fetch.requests";
  ::tributary::testing::CreateTopic(brokers, topic, 3);
  tributary::testing::ScratchDatabase db;
  db.AddSources(5);
  const auto log = (std::filesystem::temp_directory_path() / (prefix + ".log")).string();

  auto first = StartReplica(brokers, prefix, db.name(), log);
  ASSERT_TRUE(WaitFor([&] { return ScrapeMetric(first.port, "tributary_scheduler_leader") == 1; },
                      30s))
      << ::tributary::testing::RunCommand("tail -n 20 " + log).output;
  auto second = StartReplica(brokers, prefix, db.name(), log);
  ASSERT_TRUE(WaitFor(
      [&] {
        return ScrapeMetric(second.port, "tributary_scheduler_due_sources") == 0 &&
               ::tributary::testing::RunCommand("curl -sf http://127.0.0.1:" +
                                                std::to_string(second.port) + "/metrics")
                       .output.find("tributary_scheduler_leader 0") != std::string::npos;
      },
      30s))
      << "the second replica stands by";
  ASSERT_EQ(::tributary::testing::ReadAll(brokers, topic, 5, 20s).size(), 5U);

  // The active replica dies without closing anything itself.
  first.process->Stop(SIGKILL, 10s);
  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor([&] { return ScrapeMetric(second.port, "tributary_scheduler_leader") == 1; },
                      60s))
      << "the standby holds the lock after the kill";
  const auto takeover = std::chrono::steady_clock::now() - killed_at;
  EXPECT_LT(takeover, std::chrono::minutes(10)) << "within the lease (--lease 10m)";
  std::cerr << "takeover after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()
            << " ms\n";

  {  // due now: only the new leader can schedule them
    pqxx::connection c(db.Dsn());
    pqxx::work tx(c);
    tx.exec0("INSERT INTO sources (url) VALUES ('https://late-1.example/'), "
             "('https://late-2.example/')");
    tx.commit();
  }
  const auto messages = ::tributary::testing::ReadAll(brokers, topic, 7, 30s);
  ASSERT_EQ(messages.size(), 7U);
  std::this_thread::sleep_for(1s);  // a few more rounds: nothing else may appear
  const auto all = ::tributary::testing::ReadAll(brokers, topic, 100, 3s);
  std::map<std::int64_t, int> per_source;
  for (const auto& m : all) {
    const auto request = codec::Decode<v1::FetchRequest>(m.value, "");
    ASSERT_TRUE(request.has_value());
    ++per_source[request->source_id()];
  }
  EXPECT_EQ(per_source.size(), 7U);
  for (const auto& [source, count] : per_source) {
    EXPECT_EQ(count, 1) << "source " << source << " was scheduled " << count << " times";
  }
  EXPECT_EQ(second.process->Stop(SIGTERM, 20s), 0);
  std::filesystem::remove(log);
}

}  // namespace
}  // namespace tributary::scheduler
