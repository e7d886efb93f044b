// scripts/demo.sh as the README tells people to run it, in a scratch database, topic prefix,
// fleet directory and feed port (beside whatever else runs on the machine): run twice in a row,
// the first time with --prometheus, with the fleet from the first run still up, the second run
// changes no row; its embeddings are the local model's and a search finds by meaning; a failing
// search fails the demo and shows its error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "tests/support/admin_probe.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/test_env.hpp"

namespace tributary::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::tributary::testing::RunCommand;

class Demo : public ::testing::Test {
 protected:
  void SetUp() override {
    prefix_ = ::tributary::testing::UniqueName("e2e-demo");
    dir_ = fs::temp_directory_path() / prefix_;
    fs::create_directories(dir_);
    env_ = "TRIBUTARY_PG_DATABASE=" + db_.name() + " TRIBUTARY_TOPIC_PREFIX=" + prefix_ +
           " TRIBUTARY_TOPIC_PARTITIONS=2 TRIBUTARY_FLEET_DIR=" + (dir_ / "fleet").string() +
           " TRIBUTARY_DEMO_RUN_DIR=" + (dir_ / "run").string() +
           " TRIBUTARY_DEMO_PORT=" + std::to_string(::tributary::testing::FreePort()) +
           " TRIBUTARY_DEMO_FEEDS=20 TRIBUTARY_DEMO_ITEMS=5 TRIBUTARY_DEMO_BUILD=0"
           " TRIBUTARY_DEMO_TIMEOUT=180 TRIBUTARY_ADMIN_PORT=0 TRIBUTARY_PROMETHEUS_PORT=" +
           std::to_string(::tributary::testing::FreePort());
  }
  void TearDown() override {
    RunCommand(env_ + " " + Script("deploy/local/prometheus.sh") + " stop 2>&1");
    RunCommand(env_ + " " + Script("deploy/local/fleet.sh") + " stop 2>&1");
    std::ifstream pid_file(dir_ / "run" / "feed_server.pid");
    if (int pid = 0; pid_file >> pid && pid > 0) kill(pid, SIGTERM);
    if (HasFailure()) {
      std::cerr << RunCommand("tail -n 30 " + (dir_ / "fleet").string() + "/*.log").output;
    }
    fs::remove_all(dir_);
  }
  static std::string Script(const std::string& path) {
    return (::tributary::testing::SourceDir() / path).string();
  }
  ::tributary::testing::CommandResult Run(const std::string& extra_env = {},
                                          const std::string& flags = {}) {
    return RunCommand(env_ + " " + extra_env + " " + Script("scripts/demo.sh") + " " + flags +
                      " 2>&1");
  }
  // Every row of the tables a round writes, with its xmin: a rewritten row gets a new one.
  std::string Rows() {
    pqxx::connection c(db_.Dsn());
    pqxx::read_transaction tx(c);
    std::string out;
    for (const char* table :
         {"items", "stories", "story_items", "item_embeddings", "item_chunks"}) {
      out += table;
      out += ": ";
      out += tx.exec1(std::string("SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text || ")
                      + "xmin::text, ',' ORDER BY t::text)), '') FROM " + table + " t")[0]
                 .c_str();
      out += "\n";
    }
    return out;
  }

  ::tributary::testing::ScratchDatabase db_{::tributary::testing::ScratchDatabase::Schema::kEmpty};
  std::string prefix_;
  fs::path dir_;
  std::string env_;
};

TEST_F(Demo, RunsTwiceWithTheFleetRunningAndTheSecondRunChangesNoRow) {
  // With a real Prometheus (built from its Go module) on the stages' /metrics and the rules of
  // deploy/prometheus: every stage scraped, every rule loaded, healthy and evaluated.
  const auto first = Run({}, "--prometheus");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_THAT(first.output, HasSubstr("a sample search"));
  EXPECT_THAT(first.output,
              HasSubstr("ok prometheus: 5 targets up, 14 rules loaded and healthy (9 alerts"));
  // 20 feeds x 5 items, and 28 pages of the sitemaps (30 listed, 2 fail on purpose).
  EXPECT_EQ(db_.Scalar<int>("SELECT count(*) FROM items"), 20 * 5 + 28);
  EXPECT_EQ(db_.Scalar<int>("SELECT count(*) FROM item_embeddings"), 20 * 5 + 28);
  EXPECT_GT(db_.Scalar<int>("SELECT count(DISTINCT item_id) FROM item_chunks"), 20 * 5)
      << "the items' passages, each with its vector";
  // Feeds 1, 4, ..., 19 carry summaries only: the demo lands their entries' full text (but for
  // /articles/7/1, which answers 404).
  EXPECT_EQ(db_.Scalar<int>("SELECT count(*) FROM items WHERE article_state = 'done' AND "
                            "length(content_text) > 4 * length(summary)"),
            7 * 5 - 1);
  EXPECT_THAT(first.output,
              HasSubstr("full text      34 articles merged from linked pages (1 failed)"));
  // The demo embeds with the local model (deploy/local/lib.sh), and its vectors carry meaning:
  // "ships docking at the port" shares no word with any title, yet most of its nearest items
  // carry one of the feed server's water words, where about 4 titles in 10 do; and none is a
  // "sport" title, which lexical matching (the hash backend) ranks among them.
  EXPECT_EQ(db_.Scalar<std::string>("SELECT string_agg(name, ',') FROM embedding_models"),
            "all-MiniLM-L6-v2");
  const auto model_dir = ::tributary::testing::SourceDir() / ".local/models/all-MiniLM-L6-v2";
  // The scratch database by its own DSN: the one in this process's environment (env.sh) names
  // the main database.
  const auto search = RunCommand(
      "TRIBUTARY_PG_DSN='" + db_.Dsn() + "' TRIBUTARY_BACKEND=local TRIBUTARY_MODEL_DIR=" +
      model_dir.string() + " " + (::tributary::testing::BinDir() / "tributary").string() +
      " search 'ships docking at the port' --limit 10 --json --log-level warn");
  ASSERT_EQ(search.exit_code, 0) << search.output;
  const auto results = nlohmann::json::parse(search.output)["results"];
  ASSERT_EQ(results.size(), 10U) << search.output;
  int watery = 0;
  for (const auto& result : results) {
    auto title = result["title"].get<std::string>();
    for (auto& c : title) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_THAT(title, ::testing::Not(HasSubstr("port"))) << search.output;
    for (const char* water : {"harbor", "river", "delta", "island", "lighthouse"}) {
      if (title.find(water) != std::string::npos) {
        ++watery;
        break;
      }
    }
  }
  // Measured on this demo's data: local 7 of 10, hash 3 (and a "sport" title among them).
  EXPECT_GE(watery, 6) << search.output;

  const auto rows = Rows();
  const auto fetches = db_.Scalar<int>("SELECT count(*) FROM fetch_log");

  // The fleet of the first run is still up: its scheduler leads (the advisory lock that once
  // kept `tributary migrate` in up.sh waiting until it timed out).
  const auto second = Run();
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_THAT(second.output, HasSubstr("already running"));
  EXPECT_GT(db_.Scalar<int>("SELECT count(*) FROM fetch_log"), fetches) << "a second round ran";
  EXPECT_EQ(Rows(), rows) << "the second run wrote no row";

  // A search that fails (no vectors of that model) fails the demo, with the search's error.
  const auto failing = Run("TRIBUTARY_MODEL_VERSION=not-embedded-yet");
  EXPECT_NE(failing.exit_code, 0) << failing.output;
  EXPECT_THAT(failing.output, HasSubstr("has no vectors yet"));
  EXPECT_THAT(failing.output, HasSubstr("tributary search failed"));
}

}  // namespace
}  // namespace tributary::e2e
