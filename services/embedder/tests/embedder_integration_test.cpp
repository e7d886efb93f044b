// tributary-embedder as a process against the real broker, the real PostgreSQL + pgvector and
// tests/support/openai_stub_server.py: what a user sees — EmbeddedItems on the topic, poison in
// dlq.embedder, offsets committed, backend calls counted by the server itself.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "common/codec/codec.hpp"
#include "common/kafka/dlq.hpp"
#include "common/kafka/producer.hpp"
#include "tests/support/admin_probe.hpp"
#include "services/embedder/hash_backend.hpp"
#include "services/embedder/tests/fakes.hpp"
#include "services/embedder/tests/stub_server.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"

namespace tributary::embedder {
namespace {

using namespace std::chrono_literals;
using testing::MakeItem;
using tributary::testing::ChildProcess;

std::string Scrape(int port) {
  return tributary::testing::RunCommand(
             "python3 -c 'import urllib.request,sys; sys.stdout.write(urllib.request.urlopen("
             "\"http://127.0.0.1:" + std::to_string(port) + "/metrics\", timeout=5).read().decode())'")
      .output;
}

class EmbedderBinary : public ::testing::Test {
 protected:
  void SetUp() override {
    brokers_ = tributary::testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
    prefix_ = tributary::testing::UniqueName("it-embedder");
    settings_ = {.brokers = brokers_, .topic_prefix = prefix_};
    tributary::testing::CreateTopic(brokers_, settings_.Topic("items"), 3);
    tributary::testing::CreateTopic(brokers_, settings_.Topic("embedded"), 3);
    tributary::testing::CreateTopic(brokers_, settings_.Topic("dlq.embedder"), 1);
  }

  void Produce(const std::vector<v1::Item>& items, const std::vector<std::string>& raw = {}) {
    kafka::Producer producer(settings_, "test");
    for (const auto& item : items) {
      ASSERT_TRUE(producer.Produce({.topic = settings_.Topic("items"),
                                    .key = std::to_string(item.source_id()) + "/" + item.external_id(),
                                    .value = codec::Encode(item)},
                                   [](const Result<void>&) {}));
    }
    for (const auto& value : raw) {
      ASSERT_TRUE(producer.Produce({.topic = settings_.Topic("items"), .key = "raw", .value = value},
                                   [](const Result<void>&) {}));
    }
    ASSERT_TRUE(producer.Flush(30s));
  }

  std::vector<std::string> Args(const std::string& group, std::vector<std::string> extra) {
    std::vector<std::string> args{(tributary::testing::BinDir() / "tributary-embedder").string(),
                                  "--kafka-brokers", brokers_, "--topic-prefix", prefix_,
                                  "--group-id", group, "--admin-port", "0", "--log-format", "text",
                                  "--batch-size", "4", "--batch-linger", "20ms",
                                  "--concurrency", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::vector<std::string> OpenAi(const testing::StubServer& stub, const std::string& version) {
    return {"--backend", "openai", "--openai-url", stub.Url(), "--model", "stub-model",
            "--model-version", version, "--dims", "8", "--openai-api-key", "sk-never-logged"};
  }

  std::vector<v1::EmbeddedItem> Embedded(std::size_t count, std::chrono::milliseconds timeout) {
    std::vector<v1::EmbeddedItem> out;
    for (const auto& m : tributary::testing::ReadAll(brokers_, settings_.Topic("embedded"), count, timeout)) {
      auto decoded = codec::Decode<v1::EmbeddedItem>(m.value);
      EXPECT_TRUE(decoded);
      if (decoded) out.push_back(*decoded);
      EXPECT_EQ(m.key, std::to_string(decoded->item().source_id()) + "/" + decoded->item().external_id());
    }
    return out;
  }

  std::int64_t Committed(const std::string& group) {
    std::int64_t total = 0;
    for (const auto& [partition, offset] :
         tributary::testing::CommittedOffsets(brokers_, group, settings_.Topic("items"), 3)) {
      total += std::max<std::int64_t>(offset, 0);
    }
    return total;
  }

  std::string brokers_;
  std::string prefix_;
  kafka::Settings settings_;
};

std::vector<v1::Item> Items(std::int64_t source, int count, const std::string& tag) {
  std::vector<v1::Item> items;
  for (int i = 0; i < count; ++i) {
    items.push_back(MakeItem(source, tag + "-" + std::to_string(i), "Title " + tag + " " + std::to_string(i),
                             "Body of item " + std::to_string(i) + " about " + tag));
  }
  return items;
}

TEST_F(EmbedderBinary, AReplayedUnchangedItemMakesZeroBackendCalls) {
  testing::StubServer stub({"--dims", "8"});
  tributary::testing::ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  const auto items = Items(source, 12, "replay");
  Produce(items);

  const auto first_group = tributary::testing::UniqueName("it-embedder-a");
  {
    ChildProcess embedder(Args(first_group, [&] {
      auto a = OpenAi(stub, "t1");
      a.insert(a.end(), {"--pg-dsn", db.Dsn()});
      return a;
    }()));
    const auto out = Embedded(12, 60s);
    ASSERT_EQ(out.size(), 12U);
    for (const auto& e : out) {
      EXPECT_FALSE(e.from_cache());
      EXPECT_EQ(e.dims(), 8U);
      EXPECT_EQ(e.vector_size(), 8);
      EXPECT_EQ(e.model_name(), "stub-model");
      EXPECT_EQ(e.model_version(), "t1");
    }
    EXPECT_EQ(embedder.Stop(SIGTERM, 30s), 0);
    EXPECT_EQ(Committed(first_group), 12);

    // What the loader does with them: the model registered, the vectors stored, the item's
    // and each of its passages'.
    pqxx::connection c(db.Dsn());
    pqxx::work tx(c);
    const auto model_id = tx.exec1("INSERT INTO embedding_models (name, version, dims) VALUES "
                                   "('stub-model', 't1', 8) RETURNING id")[0].as<int>();
    const auto text = [](const auto& values) {
      std::string vector = "[";
      for (int i = 0; i < values.size(); ++i) vector += (i ? "," : "") + std::to_string(values[i]);
      return vector + "]";
    };
    std::size_t passages = 0;
    for (const auto& e : out) {
      const pqxx::binarystring hash(e.item().content_hash());
      const auto item_id = tx.exec_params1(
          "INSERT INTO items (source_id, external_id, observed_at, content_hash) "
          "VALUES ($1, $2, now(), $3) RETURNING id",
          e.item().source_id(), e.item().external_id(), hash)[0].as<std::int64_t>();
      tx.exec_params("INSERT INTO item_embeddings (item_id, model_id, content_hash, embedding, "
                     "observed_at) VALUES ($1, $2, $3, $4::vector, now())",
                     item_id, model_id, hash, text(e.vector()));
      for (const auto& chunk : e.chunks()) {
        tx.exec_params("INSERT INTO item_chunks (item_id, model_id, chunk, char_begin, char_end, "
                       "content_hash, embedding, observed_at) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7::vector, now())",
                       item_id, model_id, chunk.number(), chunk.char_begin(), chunk.char_end(),
                       pqxx::binarystring(chunk.content_hash()), text(chunk.vector()));
        ++passages;
      }
    }
    tx.commit();
    EXPECT_GE(passages, out.size()) << "every item has text: at least one passage each";
  }
  const auto calls_before = stub.Stats()["requests"].get<int>();
  ASSERT_GT(calls_before, 0);

  // A fresh process (empty LRU) replays the topic from the start under a new group, and the
  // same items are sent once more: every vector comes from PostgreSQL or the LRU.
  Produce(items);
  const auto replay_group = tributary::testing::UniqueName("it-embedder-b");
  ChildProcess replay(Args(replay_group, [&] {
    auto a = OpenAi(stub, "t1");
    a.insert(a.end(), {"--pg-dsn", db.Dsn()});
    return a;
  }()));
  const auto all = Embedded(36, 60s);
  ASSERT_EQ(all.size(), 36U);
  EXPECT_EQ(replay.Stop(SIGTERM, 30s), 0);
  EXPECT_EQ(Committed(replay_group), 24);
  std::size_t cached = 0;
  for (const auto& e : all) cached += e.from_cache() ? 1 : 0;
  EXPECT_EQ(cached, 24U);
  EXPECT_EQ(stub.Stats()["requests"].get<int>(), calls_before) << "zero backend calls on replay";
}

TEST_F(EmbedderBinary, ABackendDownForAWhileLosesNothingAndDeadLettersNothing) {
  testing::StubServer stub({"--dims", "8", "--mode", "500"});
  Produce(Items(1, 30, "outage"));
  const auto group = tributary::testing::UniqueName("it-embedder-outage");
  const int admin_port = tributary::testing::FreePort();
  auto args = Args(group, OpenAi(stub, "t2"));
  args.insert(args.end(), {"--pg-cache=false", "--backoff-initial", "200ms", "--backoff-max",
                           "2s", "--openai-timeout", "2s", "--admin-port",
                           std::to_string(admin_port)});
  ChildProcess embedder(args);

  // Down: 500s for a while, then 429 with Retry-After, then requests that hang past the
  // timeout; the embedder keeps probing, produces nothing, stores no offset, DLQs nothing.
  for (auto deadline = std::chrono::steady_clock::now() + 30s;
       stub.Stats()["requests"].get<int>() < 3 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_GE(stub.Stats()["requests"].get<int>(), 3);
  // About 30 s down in all (DESIGN §4's "backend down" case as the issue states it).
  std::this_thread::sleep_for(10s);
  const auto metrics_down = Scrape(admin_port);
  EXPECT_NE(metrics_down.find("tributary_embedder_paused 1"), std::string::npos) << metrics_down;
  EXPECT_NE(metrics_down.find("tributary_embedder_backend_requests_total{status=\"500\"}"),
            std::string::npos);
  stub.SetMode({{"mode", "429"}, {"retry_after", 2}});
  std::this_thread::sleep_for(10s);
  stub.SetMode({{"mode", "hang"}});
  std::this_thread::sleep_for(9s);
  EXPECT_TRUE(Embedded(1, 1s).empty()) << "nothing produced while the backend is down";
  EXPECT_EQ(Committed(group), 0) << "no offset moves while the backend is down";
  const auto down_stats = stub.Stats();
  EXPECT_GT(down_stats["by_status"]["500"].get<int>(), 0);
  EXPECT_GT(down_stats["by_status"]["429"].get<int>(), 0);
  EXPECT_EQ(down_stats["embedded"].get<int>(), 0);

  stub.SetMode({{"mode", "ok"}});
  const auto out = Embedded(30, 60s);
  std::set<std::string> keys;
  for (const auto& e : out) keys.insert(e.item().external_id());
  EXPECT_EQ(keys.size(), 30U) << "every item made it";
  EXPECT_TRUE(tributary::testing::ReadAll(brokers_, settings_.Topic("dlq.embedder"), 1, 2s).empty());
  const auto metrics_up = Scrape(admin_port);
  EXPECT_NE(metrics_up.find("tributary_embedder_paused 0"), std::string::npos) << metrics_up;
  EXPECT_EQ(embedder.Stop(SIGTERM, 30s), 0);
  EXPECT_EQ(Committed(group), 30);
}

TEST_F(EmbedderBinary, AWrongDimensionAnswerStopsTheStageWithAClearError) {
  testing::StubServer stub({"--dims", "8", "--mode", "wrong_dims"});
  Produce(Items(1, 3, "dims"));
  const auto group = tributary::testing::UniqueName("it-embedder-dims");
  auto args = Args(group, OpenAi(stub, "t3"));
  args.insert(args.end(), {"--pg-cache=false", "--shutdown-grace", "1s"});
  // Through a shell so the log (stderr) reaches the pipe the test reads.
  std::vector<std::string> shell{"sh", "-c", "exec \"$0\" \"$@\" 2>&1"};
  shell.insert(shell.end(), args.begin(), args.end());
  ChildProcess embedder(shell);
  std::string output;
  while (auto line = embedder.ReadLine(60s)) output += *line + "\n";
  EXPECT_EQ(embedder.Wait(10s), 1) << output;
  EXPECT_NE(output.find("vector of 9 dimensions"), std::string::npos) << output;
  EXPECT_NE(output.find("--dims is 8"), std::string::npos) << output;
  EXPECT_EQ(output.find("sk-never-logged"), std::string::npos) << "the API key is never logged";
  EXPECT_TRUE(Embedded(1, 1s).empty());
  EXPECT_EQ(Committed(group), 0);
}

TEST_F(EmbedderBinary, AModelRegisteredWithOtherDimensionsStopsTheStageAtStart) {
  tributary::testing::ScratchDatabase db;
  {
    pqxx::connection c(db.Dsn());
    pqxx::work tx(c);
    tx.exec0("INSERT INTO embedding_models (name, version, dims) VALUES ('tributary-hash', 'v1-d256', 384)");
    tx.commit();
  }
  auto args = Args(tributary::testing::UniqueName("it-embedder-reg"), {"--pg-dsn", db.Dsn()});
  std::vector<std::string> shell{"sh", "-c", "exec \"$0\" \"$@\" 2>&1"};
  shell.insert(shell.end(), args.begin(), args.end());
  ChildProcess embedder(shell);
  std::string output;
  while (auto line = embedder.ReadLine(60s)) output += *line + "\n";
  EXPECT_EQ(embedder.Wait(10s), 1) << output;
  EXPECT_NE(output.find("registered in embedding_models"), std::string::npos) << output;
  EXPECT_NE(output.find("384"), std::string::npos) << output;
}

TEST_F(EmbedderBinary, RejectedAndUndecodableInputsGoToTheDlqWithTheirReason) {
  // The backend quotes the API key in its error, as careless servers do: the key must show in
  // no header and no log line.
  testing::StubServer stub({"--dims", "8", "--reject", "POISON", "--echo-key"});
  auto items = Items(1, 5, "dlq");
  items[2].set_title("a POISON title");
  Produce(items, {"\xff\xff not a protobuf"});
  const auto group = tributary::testing::UniqueName("it-embedder-dlq");
  auto args = Args(group, OpenAi(stub, "t4"));
  const auto admin_port = tributary::testing::FreePort();
  args.insert(args.end(), {"--pg-cache=false", "--admin-port", std::to_string(admin_port)});
  const auto log = std::filesystem::temp_directory_path() / (prefix_ + "-embedder.log");
  std::string command = "exec";
  for (const auto& arg : args) command += " '" + arg + "'";
  ChildProcess embedder({"/bin/sh", "-c", command + " 2>" + log.string()});
  const auto out = Embedded(4, 60s);
  EXPECT_EQ(out.size(), 4U);
  const auto dead = tributary::testing::ReadAll(brokers_, settings_.Topic("dlq.embedder"), 2, 30s);
  ASSERT_EQ(dead.size(), 2U);
  std::map<std::string, std::string> classes;
  for (const auto& m : dead) classes[m.key] = m.Header(kafka::kHeaderErrorClass).value_or("");
  EXPECT_EQ(classes["1/dlq-2"], "backend.rejected");
  EXPECT_EQ(classes["raw"], "decode");
  for (const auto& m : dead) {
    const auto error = m.Header(kafka::kHeaderError).value_or("");
    EXPECT_EQ(error.find("sk-never-logged"), std::string::npos) << error;
    if (m.key == "1/dlq-2") {
      EXPECT_NE(error.find("request made with Bearer ***"), std::string::npos) << error;
    }
  }
  // One series, one owner: each dead letter counts once (it once counted twice).
  EXPECT_EQ(tributary::testing::ScrapeMetric(admin_port, "tributary_embedder_dlq_total"), 2);
  EXPECT_EQ(embedder.Stop(SIGTERM, 30s), 0);
  EXPECT_EQ(Committed(group), 6);
  const auto logged = tributary::testing::RunCommand("cat " + log.string()).output;
  EXPECT_NE(logged.find("request made with"), std::string::npos) << "the error was logged";
  EXPECT_EQ(logged.find("sk-never-logged"), std::string::npos) << logged;
  std::filesystem::remove(log);
}

TEST_F(EmbedderBinary, TheHashBackendEmbedsWithoutAnyServer) {
  const auto items = Items(3, 5, "hash");
  Produce(items);
  const auto group = tributary::testing::UniqueName("it-embedder-hash");
  ChildProcess embedder(Args(group, {"--pg-cache=false", "--dims", "64"}));
  const auto out = Embedded(5, 60s);
  ASSERT_EQ(out.size(), 5U);
  for (const auto& e : out) {
    EXPECT_EQ(e.model_name(), "tributary-hash");
    EXPECT_EQ(e.model_version(), "v1-d64");
    const std::string text = e.item().title() + "\n\n" + e.item().content_text();
    EXPECT_EQ(std::vector<float>(e.vector().begin(), e.vector().end()), HashEmbed(text, 64));
  }
  EXPECT_EQ(embedder.Stop(SIGTERM, 30s), 0);
  EXPECT_EQ(Committed(group), 5);
}

}  // namespace
}  // namespace tributary::embedder
