// The tributary-loader binary against the real broker and the real PostgreSQL + pgvector: what
// a user sees — rows in the tables, poison in dlq.loader with its reason, offsets committed.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <limits>
#include <thread>

#include "common/kafka/dlq.hpp"
#include "common/kafka/producer.hpp"
#include "services/loader/tests/fixtures.hpp"
#include "tests/support/admin_probe.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"

extern char** environ;

namespace tributary::loader {
namespace {

using namespace std::chrono_literals;
using testing::MakeEmbedded;
using testing::MakeItem;

// The binary as a child process, stopped with SIGTERM.
class LoaderProcess {
 public:
  explicit LoaderProcess(std::vector<std::string> args) {
    args.insert(args.begin(), (tributary::testing::BinDir() / "tributary-loader").string());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
  }
  ~LoaderProcess() {
    if (pid_ > 0) Stop();
  }
  [[nodiscard]] bool running() const { return pid_ > 0; }
  int Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

TEST(LoaderBinary, LoadsFromKafkaDeadLettersThePoisonAndCommitsOffsets) {
  const auto brokers = tributary::testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto prefix = tributary::testing::UniqueName("it-loader");
  const kafka::Settings settings{.brokers = brokers, .topic_prefix = prefix};
  tributary::testing::CreateTopic(brokers, settings.Topic("embedded"), 3);
  tributary::testing::CreateTopic(brokers, settings.Topic("source.events"), 1);
  tributary::testing::CreateTopic(brokers, settings.Topic("dlq.loader"), 1);
  tributary::testing::ScratchDatabase db;
  const auto sources = db.AddSources(5);

  constexpr int kItems = 3000;
  {
    kafka::Producer producer(settings, "test");
    auto send = [&](const std::string& topic, const std::string& key, std::string value) {
      ASSERT_TRUE(producer.Produce({.topic = topic, .key = key, .value = std::move(value)},
                                   [](const Result<void>&) {}));
    };
    for (int i = 0; i < kItems; ++i) {
      const auto source = sources[static_cast<std::size_t>(i) % sources.size()];
      const auto id = "item-" + std::to_string(i);
      send(settings.Topic("embedded"), std::to_string(source) + "/" + id,
           codec::Encode(MakeEmbedded(MakeItem(source, id, 1), 8, i)));
    }
    auto nan = MakeEmbedded(MakeItem(sources[0], "nan", 1), 8, 0);
    nan.set_vector(2, std::numeric_limits<float>::quiet_NaN());
    send(settings.Topic("embedded"), "nan", codec::Encode(nan));
    send(settings.Topic("embedded"), "junk", "\xff\xff not a protobuf");
    send(settings.Topic("source.events"), std::to_string(sources[1]),
         codec::Encode(testing::MakeFetchEvent(sources[1], "req-1", v1::FETCH_OUTCOME_OK, 200,
                                               std::time(nullptr))));
    ASSERT_TRUE(producer.Flush(30s));
  }

  const auto group = tributary::testing::UniqueName("it-loader-group");
  const auto admin_port = tributary::testing::FreePort();
  LoaderProcess loader({"--kafka-brokers", brokers, "--topic-prefix", prefix, "--pg-dsn",
                        db.Dsn(), "--group-id", group, "--admin-port",
                        std::to_string(admin_port), "--batch-size",
                        "500", "--batch-linger", "100ms", "--log-format", "text"});
  ASSERT_TRUE(loader.running());
  int loaded = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 60s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(200ms)) {
    loaded = db.Scalar<int>("SELECT count(*) FROM item_embeddings");
    if (loaded == kItems &&
        db.Scalar<int>("SELECT count(*) FROM fetch_log WHERE request_id = 'req-1'") == 1) {
      break;
    }
  }
  EXPECT_EQ(loaded, kItems);
  const auto dead = tributary::testing::ReadAll(brokers, settings.Topic("dlq.loader"), 2, 30s);
  ASSERT_EQ(dead.size(), 2U);
  std::map<std::string, std::string> reasons;
  for (const auto& m : dead) reasons[m.key] = m.Header(kafka::kHeaderErrorClass).value_or("");
  EXPECT_EQ(reasons["nan"], "pg.data");
  EXPECT_EQ(reasons["junk"], "decode");
  // One series, one owner: each dead letter counts once (it once counted twice).
  EXPECT_EQ(tributary::testing::ScrapeMetric(admin_port, "tributary_loader_dlq_total"), 2);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM items"), kItems);
  EXPECT_EQ(db.Scalar<std::string>("SELECT last_status::text FROM sources WHERE id = " +
                                   std::to_string(sources[1])),
            "200");

  EXPECT_EQ(loader.Stop(), 0);
  const auto committed =
      tributary::testing::CommittedOffsets(brokers, group, settings.Topic("embedded"), 3);
  std::int64_t total = 0;
  for (const auto& [partition, offset] : committed) total += std::max<std::int64_t>(offset, 0);
  EXPECT_EQ(total, kItems + 2) << "every message, the dead-lettered ones too, is committed";
}

}  // namespace
}  // namespace tributary::loader
