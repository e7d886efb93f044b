// The whole fleet, as people run it: every binary against the real broker, a scratch database
// with the real migrations, and the local feed server (deploy/local/feed_server.py). One story,
// in steps that build on each other:
//  1. every expected item arrives exactly once as a row, with an embedding; shared links become
//     one story; a broken source is backed off and listed as failing;
//  2. a second round over unchanged feeds writes no row and makes no embedding call, whether the
//     server answers 304 or sends the same document again;
//  3. an updated entry updates its row (and its vector);
//  4. a FetchRequest written as JSON with the real kafka-console-producer, with a traceparent,
//     is fetched and loaded: its request id reaches every row it made (items, vectors,
//     fetch_log), and its trace every record derived from it, with a span per stage, and the
//     log line of a failed fetch;
//  5. the loader's group reset to the beginning with the real kafka-consumer-groups tool and
//     the loader restarted: row count and every row unchanged;
//  6. the same with `tributary replay`.
// A second story: a sitemap index whose pages are fetched becomes one row per page, the pages'
// outcomes never touch the sitemap's own state, and a second round writes nothing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <pqxx/pqxx>
#include <thread>

#include "tests/support/scratch_database.hpp"
#include "tests/support/admin_probe.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"

namespace tributary::e2e {
namespace {

using namespace std::chrono_literals;
using ::tributary::testing::ChildProcess;
using ::tributary::testing::FreePort;
using ::tributary::testing::RunCommand;
using ::tributary::testing::WaitFor;

constexpr int kFeeds = 12;
constexpr int kItemsPerFeed = 8;
constexpr int kItems = kFeeds * kItemsPerFeed;
constexpr int kSummaryItems = 4 * kItemsPerFeed;  // feeds 1, 4, 7, 10 (n % 3 == 1)
constexpr int kMergedArticles = kSummaryItems - 1;  // /articles/7/1 answers 404

class Pipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    brokers_ = ::tributary::testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
    prefix_ = ::tributary::testing::UniqueName("e2e");
    for (const char* topic : {"fetch.requests", "documents", "items", "embedded", "source.events",
                              "dlq.fetcher", "dlq.parser", "dlq.embedder", "dlq.loader"}) {
      ::tributary::testing::CreateTopic(brokers_, prefix_ + "." + topic, 3);
    }
    logs_ = std::filesystem::temp_directory_path() / prefix_;
    std::filesystem::create_directories(logs_);
    feeds_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        "python3", (::tributary::testing::SourceDir() / "deploy/local/feed_server.py").string(),
        "--port", "0", "--feeds", std::to_string(kFeeds), "--items",
        std::to_string(kItemsPerFeed), "--slow-seconds", "5"});
    const auto banner = feeds_->ReadLine(10s);
    ASSERT_TRUE(banner.has_value()) << "the feed server did not start";
    base_ = banner->substr(banner->find("http://"));
    base_ = base_.substr(0, base_.find(' '));
  }

  void TearDown() override {
    for (auto& [stage, process] : stages_) process->Stop(SIGTERM, 30s);
    if (HasFailure()) {
      for (const auto& entry : std::filesystem::directory_iterator(logs_)) {
        std::cerr << "----- last lines of " << entry.path() << " -----\n"
                  << RunCommand("tail -n 25 " + entry.path().string()).output;
      }
    }
  }

  std::string Cli(const std::string& args) {
    const auto result = RunCommand(Binary("tributary") + " " + args + " --pg-dsn dbname=" +
                                   db_.name() + " --log-level warn");
    EXPECT_EQ(result.exit_code, 0) << args << "\n" << result.output;
    return result.output;
  }

  static std::string Binary(const std::string& name) {
    return (::tributary::testing::BinDir() / name).string();
  }

  // Replica 1 of a stage is known by the stage's name, replica n > 1 by "<stage>-<n>".
  void Start(const std::string& stage, std::vector<std::string> flags, int replica = 1) {
    const auto name = replica == 1 ? stage : stage + "-" + std::to_string(replica);
    admin_ports_[name] = FreePort();
    std::string command = "exec " + Binary("tributary-" + stage) + " --kafka-brokers " +
                          brokers_ + " --topic-prefix " + prefix_ + " --admin-port " +
                          std::to_string(admin_ports_[name]);
    for (const auto& flag : flags) command += " " + flag;
    command += " 2>>" + (logs_ / (name + ".log")).string();
    stages_[name] =
        std::make_unique<ChildProcess>(std::vector<std::string>{"/bin/sh", "-c", command});
  }

  void StartFleet(int replicas = 1) {
    const std::string dsn = "--pg-dsn dbname=" + db_.name();
    const std::string group = " --group-id " + prefix_ + "-";
    for (int n = 1; n <= replicas; ++n) {
      Start("loader", {dsn, group + "loader", "--batch-linger 100ms"}, n);
      Start("embedder", {dsn, group + "embedder", "--batch-linger 20ms"}, n);
      Start("parser", {group + "parser"}, n);
      Start("fetcher",
            {group + "fetcher", "--allow-cidrs 127.0.0.0/8", "--per-host-rate 1000",
             "--per-host-burst 200", "--per-host-concurrency 16", "--fetch-timeout 3s"},
            n);
      Start("scheduler", {dsn, "--round-interval 200ms"}, n);
    }
  }

  double Metric(const std::string& stage, const std::string& name) {
    return ::tributary::testing::ScrapeMetric(admin_ports_.at(stage), name);
  }

  template <typename T>
  T Scalar(const std::string& sql) {
    return db_.Scalar<T>(sql);
  }

  // Registers every feed of the feed server, from its OPML.
  void ImportFeeds() {
    const auto opml = logs_ / "feeds.opml";
    ASSERT_EQ(RunCommand("curl -sf " + base_ + "/opml -o " + opml.string()).exit_code, 0);
    Cli("sources import-opml " + opml.string());
  }

  // Fetches of a feed item's article page: the server's /articles/ pages, and the /pages/
  // that an entry shared with another feed links to (fetched as a child of the feed's request).
  int ArticleFetches() {
    return Scalar<int>("SELECT count(*) FROM fetch_log WHERE url LIKE '%/articles/%' OR (url "
                       "LIKE '%/pages/%' AND parent_request_id IS NOT NULL)");
  }

  // Every entry of every feed is one row with one vector, and shared links are one story.
  void ExpectEveryEntryOnce() {
    EXPECT_EQ(Scalar<int>("SELECT count(*) FROM items"), kItems);
    EXPECT_EQ(Scalar<int>("SELECT count(DISTINCT (source_id, external_id)) FROM items"), kItems);
    EXPECT_EQ(Scalar<int>("SELECT count(*) FROM item_embeddings"), kItems);
    EXPECT_EQ(Scalar<int>("SELECT count(*) FROM dq_duplicates"), 0);
    EXPECT_EQ(Scalar<int>("SELECT count(*) FROM (SELECT source_id FROM items GROUP BY "
                          "source_id HAVING count(*) = " + std::to_string(kItemsPerFeed) + ") s"),
              kFeeds)
        << "every feed delivered all of its entries";
    // Entry 0 of feeds 2k and 2k+1 share a link (feed_server.py): one story each.
    EXPECT_EQ(Scalar<int>("SELECT count(*) FROM stories WHERE item_count = 2"), kFeeds / 2);
  }

  // Every item row with its vector's hash, as text: what a reader of the tables sees.
  std::vector<std::string> Rows() {
    pqxx::connection c(db_.Dsn());
    pqxx::read_transaction tx(c);
    std::vector<std::string> out;
    for (const auto& row : tx.exec(
             "SELECT concat_ws('|', i.source_id, i.external_id, i.title, i.url, "
             "i.canonical_url, encode(i.content_hash, 'hex'), i.xmin, e.xmin, "
             "encode(e.content_hash, 'hex')) FROM items i "
             "LEFT JOIN item_embeddings e ON e.item_id = i.id ORDER BY 1")) {
      out.emplace_back(row[0].c_str());
    }
    return out;
  }

  std::string brokers_;
  std::string prefix_;
  std::string base_;
  std::filesystem::path logs_;
  tributary::testing::ScratchDatabase db_;
  std::unique_ptr<ChildProcess> feeds_;
  std::map<std::string, std::unique_ptr<ChildProcess>> stages_;
  std::map<std::string, int> admin_ports_;
};

TEST_F(Pipeline, FeedsToRowsExactlyOnceThenUnchangedUpdatedInjectedAndReplayed) {
  // --- 1. first round -------------------------------------------------------------------------
  ImportFeeds();
  Cli("sources add " + base_ + "/broken/500 --name broken");
  StartFleet();
  ASSERT_TRUE(WaitFor([&] { return Scalar<int>("SELECT count(*) FROM item_embeddings") >= kItems; },
                      120s))
      << Scalar<int>("SELECT count(*) FROM items") << " items, "
      << Scalar<int>("SELECT count(*) FROM item_embeddings") << " embeddings";
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM items"), kItems);
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM item_embeddings"), kItems);
  // Every third feed carries summaries only (feed_server.py): under the default full_text
  // setting each of its entries' pages is fetched once and its article merged into the entry's
  // own row; the whole-text feeds ask for nothing. One page answers 404: its item keeps the
  // feed's text and says why, and its feed's source stays healthy.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Scalar<int>("SELECT count(*) FROM items WHERE article_state = 'done'") ==
                   kMergedArticles &&
               Scalar<int>("SELECT count(*) FROM items WHERE article_state = 'failed'") == 1;
      },
      120s))
      << Scalar<std::string>("SELECT coalesce(string_agg(article_state || ' ' || "
                             "coalesce(article_error, ''), ', '), 'none') FROM items WHERE "
                             "article_state IS NOT NULL AND article_state <> 'done'");
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM items WHERE article_state IS NOT NULL"),
            kSummaryItems);
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM items WHERE summary LIKE '%\u2026' AND "
                        "article_state = 'done' AND length(content_text) > 4 * length(summary) "
                        "AND content_text NOT LIKE '%cookies%' AND content_text NOT LIKE "
                        "'%Related story%' AND content_text NOT LIKE '%Copyright%' AND "
                        "content_text NOT LIKE '%Share on%' AND content_text NOT LIKE 'By %'"),
            kMergedArticles)
      << "the page's article, without its chrome; the feed's summary kept";
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM items i JOIN item_embeddings e ON e.item_id = "
                        "i.id AND e.content_hash = i.article_hash"),
            kMergedArticles)
      << "their vectors are of the article";
  EXPECT_EQ(Scalar<std::string>(
                "SELECT i.article_error || ' ' || s.consecutive_failures || ' ' || "
                "(coalesce(nullif(i.content_text, ''), i.summary) LIKE '%\u2026') FROM items i "
                "JOIN sources s ON s.id = i.source_id WHERE i.article_state = 'failed'"),
            "HTTP 404 Not Found 0 true")
      << "the failed page's item as the feed gave it; its source healthy";
  EXPECT_EQ(ArticleFetches(), kSummaryItems) << "one fetch per article";
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM items"), kItems) << "merged, never added";
  // Every item with text has its passages (written with its vector), each inside that text.
  EXPECT_EQ(Scalar<int>("SELECT count(DISTINCT item_id) FROM item_chunks"),
            Scalar<int>("SELECT count(*) FROM items "
                        "WHERE coalesce(nullif(content_text, ''), summary, '') ~ '\\S'"));
  EXPECT_GT(Scalar<int>("SELECT count(*) FROM item_chunks"), 0);
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM item_chunks c JOIN items i ON i.id = c.item_id "
                        "WHERE c.char_end > length(coalesce(nullif(i.content_text, ''), "
                        "i.summary))"),
            0);
  ExpectEveryEntryOnce();
  // What the parser keeps beyond text reaches the rows: each item's HTML and authors, and each
  // feed's own metadata (from the parse outcome, which may land after the items).
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM items WHERE content_html <> ''"), kItems);
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM items WHERE jsonb_array_length(author_details) = "
                        "cardinality(authors) AND cardinality(authors) > 0"),
            kItems);
  EXPECT_TRUE(WaitFor(
      [&] {
        return Scalar<int>("SELECT count(*) FROM feeds f JOIN sources s ON s.id = f.source_id "
                           "WHERE s.url LIKE '%/feeds/%' AND f.title <> '' AND f.format <> ''") ==
               kFeeds;
      },
      30s))
      << Scalar<int>("SELECT count(*) FROM feeds") << " feeds rows";
  ASSERT_TRUE(WaitFor(
      [&] {
        return Scalar<int>("SELECT count(*) FROM sources WHERE url LIKE '%/broken/500' AND "
                           "consecutive_failures >= 1 AND lease_until IS NULL") == 1;
      },
      30s))
      << "the broken source's failure was loaded and rescheduled";
  EXPECT_GT(Scalar<double>("SELECT extract(epoch FROM next_fetch_at - now()) FROM sources "
                           "WHERE url LIKE '%/broken/500'"),
            45 * 60)
      << "backed off: 30 min interval x 2 (first failure), less 10 % jitter";
  const auto failing = Cli("sources list --failing --json");
  EXPECT_NE(failing.find("/broken/500"), std::string::npos) << failing;
  EXPECT_NE(failing.find("\"last_status\":500"), std::string::npos) << failing;

  // --- 2. a second round over unchanged feeds ---------------------------------------------------
  // The scheduler ends a feed's lease and sets its next_fetch_at only once that feed's outcome
  // is loaded, which can come after its rows: forcing the next round before then would be
  // overwritten by the scheduler's own next_fetch_at, and the feed would not be fetched again.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Scalar<int>("SELECT count(*) FROM sources WHERE url LIKE '%/feeds/%' AND "
                           "lease_until IS NOT NULL") == 0;
      },
      30s))
      << "every feed's first outcome was loaded and its lease ended";
  const auto rows_before = Rows();
  const double backend_calls = Metric("embedder", "tributary_embedder_backend_requests_total");
  EXPECT_GT(backend_calls, 0);
  // Half the feeds lose their validators, so the server sends them again in full (200, same
  // entries); the other half answer 304.
  {
    pqxx::connection c(db_.Dsn());
    pqxx::work tx(c);
    tx.exec0("UPDATE sources SET etag = NULL, last_modified = NULL WHERE url LIKE '%/feeds/%' "
             "AND id % 2 = 0");
    tx.exec0("UPDATE sources SET next_fetch_at = now() WHERE url LIKE '%/feeds/%'");
    tx.commit();
  }
  const double unchanged_before =
      Metric("loader", "tributary_loader_items_unchanged_total");
  const int refetched_feeds = Scalar<int>(
      "SELECT count(*) FROM sources WHERE url LIKE '%/feeds/%' AND etag IS NULL");
  ASSERT_GT(refetched_feeds, 0);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Metric("loader", "tributary_loader_items_unchanged_total") -
                   unchanged_before >=
               refetched_feeds * kItemsPerFeed;
      },
      90s))
      << "the re-sent entries reached the loader";
  ASSERT_TRUE(WaitFor(
      [&] {
        return Scalar<int>("SELECT count(*) FROM sources s JOIN fetch_log f ON f.request_id = "
                           "s.last_request_id WHERE s.url LIKE '%/feeds/%' AND f.status = 304") ==
               kFeeds - refetched_feeds;
      },
      60s))
      << "the other feeds answered 304";
  EXPECT_EQ(Rows(), rows_before) << "no row was written (same xmin everywhere)";
  EXPECT_EQ(ArticleFetches(), kSummaryItems) << "no article page fetched again";
  EXPECT_EQ(Metric("embedder", "tributary_embedder_backend_requests_total"),
            backend_calls)
      << "no embedding call: the re-sent items came from the cache";

  // --- 3. an updated entry ----------------------------------------------------------------------
  ASSERT_EQ(RunCommand("curl -sf -X POST " + base_ + "/admin/touch/4").exit_code, 0);
  Cli("enqueue " + base_ + "/feeds/4.xml --kafka-brokers " + brokers_ + " --topic-prefix " +
      prefix_);
  ASSERT_TRUE(WaitFor(
      [&] {
        // Feed 4 carries summaries: the new version fetches its page again, and the row ends
        // with the page's new text and its vector.
        return Scalar<int>("SELECT count(*) FROM items i JOIN item_embeddings e ON "
                           "e.item_id = i.id AND e.content_hash = i.article_hash "
                           "WHERE i.title LIKE '%(update 1)' AND i.article_state = 'done' AND "
                           "i.content_text LIKE 'Updated 1 times.%'") == 1;
      },
      60s))
      << "the updated entry's row, article and vector";
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM items"), kItems) << "updated, not added";

  // --- 4. a request written by hand with the console producer, traced -------------------------
  // A real feed under a new, disabled source: only the hand-written request can fetch it. A
  // second request of the same trace fails (404), so a stage writes a log line for it.
  const auto injected = base_ + "/feeds/0.xml?injected=1";
  Cli("sources add '" + injected + "' --disabled");
  const auto source_id =
      Scalar<std::int64_t>("SELECT id FROM sources WHERE url = '" + injected + "'");
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string traceparent = "00-" + trace_id + "-00f067aa0ba902b7-01";
  const std::string request_id = prefix_ + "-console";
  const auto request_line = [&](const std::string& url, const std::string& id) {
    return "traceparent:" + traceparent + "\t" + std::to_string(source_id) + "|{\"sourceId\": \"" +
           std::to_string(source_id) + "\", \"url\": \"" + url +
           "\", \"kind\": \"SOURCE_KIND_RSS\", \"requestId\": \"" + id + "\"}\n";
  };
  const auto produced = RunCommand(
      (::tributary::testing::SourceDir() / "deploy/local/bin/kafka-console-producer").string() +
          " --bootstrap-server " + brokers_ + " --topic " + prefix_ +
          ".fetch.requests --reader-property parse.key=true --reader-property key.separator='|'"
          " --reader-property parse.headers=true",
      request_line(injected, request_id) +
          request_line(base_ + "/broken/404", request_id + "-404"));
  ASSERT_EQ(produced.exit_code, 0) << produced.output;
  const auto by_request = [&](const std::string& table) {
    return Scalar<int>("SELECT count(*) FROM " + table + " WHERE request_id = '" + request_id +
                       "'");
  };
  ASSERT_TRUE(WaitFor(
      [&] {
        return by_request("items") == kItemsPerFeed &&
               by_request("item_embeddings") == kItemsPerFeed;
      },
      60s))
      << "the hand-written request was fetched, parsed, embedded and loaded";
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM items WHERE source_id = " +
                        std::to_string(source_id)),
            kItemsPerFeed);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Scalar<std::string>("SELECT coalesce((SELECT concat_ws(':', status, outcome, "
                                   "items_seen, items_new) FROM fetch_log WHERE request_id = '" +
                                   request_id + "'), '')") ==
               "200:ok:" + std::to_string(kItemsPerFeed) + ":" + std::to_string(kItemsPerFeed);
      },
      30s))
      << "fetch_log: the fetch, its parse and the items it added";
  // Every record derived from the request carries its trace, each stage with a span of its own.
  std::map<std::string, std::set<std::string>> spans;  // topic -> span ids of the trace
  for (const char* topic : {"documents", "items", "embedded", "source.events"}) {
    for (const auto& m : ::tributary::testing::ReadAll(brokers_, prefix_ + "." + topic, 100000,
                                                       3s)) {
      const auto header = m.Header("traceparent").value_or("");
      if (header.size() == 55 && header.substr(3, 32) == trace_id) {
        spans[topic].insert(header.substr(36, 16));
      }
    }
  }
  EXPECT_EQ(spans["documents"].size(), 1U) << "one fetch of the trace fetched a document";
  EXPECT_EQ(spans["items"].size(), 1U) << "the parser's span";
  EXPECT_EQ(spans["embedded"].size(), static_cast<std::size_t>(kItemsPerFeed))
      << "a span per embedded item";
  EXPECT_EQ(spans["source.events"].size(), 3U) << "two fetches and one parse";
  std::set<std::string> all = {"00f067aa0ba902b7"};
  for (const auto& [topic, ids] : spans) all.insert(ids.begin(), ids.end());
  EXPECT_EQ(all.size(), 1 + 1 + 1 + kItemsPerFeed + 1)
      << "no stage reused its parent's span (the fetcher's 404 event has a span of its own)";
  ASSERT_TRUE(WaitFor(
      [&] {
        return RunCommand("grep -c '\"trace_id\":\"" + trace_id + "\".*broken/404' " +
                          (logs_ / "fetcher.log").string())
                   .output != "0\n";
      },
      30s))
      << "the fetcher's line about the failed fetch names the trace";

  // --- 5 and 6. replay the loader's input from the beginning, with Kafka's tool and ours ------
  const auto before_replay = Rows();
  const auto total = Scalar<int>("SELECT count(*) FROM items");
  const std::string group = prefix_ + "-loader";
  auto replay = [&](const std::string& how, const std::function<void()>& reset) {
    ASSERT_EQ(stages_["loader"]->Stop(SIGTERM, 30s), 0) << how << ": a clean, drained stop";
    stages_.erase("loader");
    reset();
    Start("loader", {"--pg-dsn dbname=" + db_.name(), "--group-id " + group,
                     "--batch-linger 100ms"});
    // Every key comes back at least once; each must be found unchanged (a fresh process counts
    // from zero).
    ASSERT_TRUE(WaitFor(
        [&] {
          return Metric("loader", "tributary_loader_items_unchanged_total") >= total;
        },
        60s))
        << how << ": the replayed items reached the restarted loader";
    EXPECT_EQ(Metric("loader", "tributary_loader_items_inserted_total"), 0) << how;
    EXPECT_EQ(Metric("loader", "tributary_loader_items_updated_total"), 0) << how;
    EXPECT_EQ(Scalar<int>("SELECT count(*) FROM items"), total) << how;
    EXPECT_EQ(Rows(), before_replay) << how << ": the replay rewrote nothing";
  };
  replay("kafka-consumer-groups", [&] {
    const auto reset = RunCommand(
        (::tributary::testing::SourceDir() / "deploy/local/bin/kafka-consumer-groups").string() +
        " --bootstrap-server " + brokers_ + " --group " + group + " --reset-offsets " +
        "--to-earliest --topic " + prefix_ + ".embedded --topic " + prefix_ +
        ".source.events --execute 2>&1");
    ASSERT_EQ(reset.exit_code, 0) << reset.output;
  });
  replay("tributary replay", [&] {
    for (const char* topic : {"embedded", "source.events"}) {
      const auto reset = RunCommand(
          (::tributary::testing::BinDir() / "tributary").string() + " replay --group " + group +
          " --topic " + topic + " --to-earliest --kafka-brokers " + brokers_ +
          " --topic-prefix " + prefix_ + " 2>&1");
      ASSERT_EQ(reset.exit_code, 0) << reset.output;
    }
  });

  // --- 7. tributary reembed: missing passages and vectors come back through the fleet --------
  // As for items stored before passages existed (feed 1) or before the model (feed 2).
  const auto passages = [&] {
    return Scalar<std::string>(
        "SELECT string_agg(concat_ws(':', item_id, model_id, chunk, char_begin, char_end, "
        "encode(content_hash, 'hex')), ',' ORDER BY item_id, model_id, chunk) FROM item_chunks");
  };
  const auto items_state = [&] {
    return Scalar<std::string>("SELECT string_agg(id || ':' || xmin, ',' ORDER BY id) FROM items");
  };
  const auto passages_before = passages();
  const auto items_before = items_state();
  const auto chunk_count = Scalar<int>("SELECT count(*) FROM item_chunks");
  {
    pqxx::connection c(db_.Dsn());
    pqxx::work tx(c);
    tx.exec0("DELETE FROM item_chunks WHERE item_id IN (SELECT i.id FROM items i JOIN sources s "
             "ON s.id = i.source_id WHERE s.url LIKE '%/feeds/1.%')");
    tx.exec0("DELETE FROM item_chunks WHERE item_id IN (SELECT i.id FROM items i JOIN sources s "
             "ON s.id = i.source_id WHERE s.url LIKE '%/feeds/2.%')");
    tx.exec0("DELETE FROM item_embeddings WHERE item_id IN (SELECT i.id FROM items i JOIN "
             "sources s ON s.id = i.source_id WHERE s.url LIKE '%/feeds/2.%')");
    tx.commit();
  }
  ASSERT_LT(Scalar<int>("SELECT count(*) FROM item_chunks"), chunk_count);
  const auto kafka = " --kafka-brokers " + brokers_ + " --topic-prefix " + prefix_;
  EXPECT_THAT(Cli("reembed --dry-run" + kafka),
              ::testing::HasSubstr(std::to_string(2 * kItemsPerFeed) + " item(s) to send"));
  const auto reembedded = Cli("reembed --wait --timeout 90s --json" + kafka);
  EXPECT_THAT(reembedded, ::testing::HasSubstr("\"sent\":" + std::to_string(2 * kItemsPerFeed)));
  EXPECT_THAT(reembedded, ::testing::HasSubstr("\"missing\":0"));
  EXPECT_TRUE(passages() == passages_before)
      << "the same passages, offsets and hashes as before; now "
      << Scalar<int>("SELECT count(*) FROM item_chunks") << " of " << chunk_count;
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM item_embeddings"), total);
  EXPECT_TRUE(items_state() == items_before) << "reembed rewrote no item";
  EXPECT_THAT(Cli("reembed --dry-run" + kafka), ::testing::HasSubstr("0 item(s) to send"));
}

// Issue 20: two replicas of every stage (two schedulers: one leads) land every item exactly
// once, articles included, and the consuming stages share the work.
TEST_F(Pipeline, TwoReplicasOfEveryStageLandEveryItemExactlyOnce) {
  StartFleet(2);
  // Every consuming replica has partitions before the first request: a replica that joins
  // while the other one already does the work would find nothing left to do.
  for (const char* stage : {"parser", "parser-2", "embedder", "embedder-2", "loader",
                            "loader-2"}) {
    ASSERT_TRUE(WaitFor(
        [&] {
          return RunCommand("curl -sf -o /dev/null http://127.0.0.1:" +
                            std::to_string(admin_ports_.at(stage)) + "/readyz")
                     .exit_code == 0;
        },
        60s))
        << stage << " never got partitions";
  }
  ImportFeeds();
  ASSERT_TRUE(WaitFor(
      [&] {
        return Scalar<int>("SELECT count(*) FROM item_embeddings") >= kItems &&
               Scalar<int>("SELECT count(*) FROM items WHERE article_state IN ('done', "
                           "'failed')") == kSummaryItems;
      },
      120s))
      << Scalar<int>("SELECT count(*) FROM items") << " items, "
      << Scalar<int>("SELECT count(*) FROM item_embeddings") << " embeddings";
  ExpectEveryEntryOnce();
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM items WHERE article_state = 'done'"),
            kMergedArticles);
  EXPECT_EQ(ArticleFetches(), kSummaryItems) << "one fetch per article, whichever scheduler led";
  // Each replica consumed its share. (The loader's two input topics are balanced together:
  // the sticky assignor may give one replica every `embedded` partition and the other every
  // `source.events` one, so "its share" is not "half the items" there; see docs/ops.md.)
  for (const char* stage : {"parser", "embedder", "loader"}) {
    const auto metric = std::string("tributary_") + stage + "_consumed_total";
    EXPECT_GT(Metric(stage, metric), 0) << stage << " replica 1 consumed nothing";
    EXPECT_GT(Metric(std::string(stage) + "-2", metric), 0)
        << stage << " replica 2 consumed nothing";
  }
}

TEST_F(Pipeline, SitemapPagesBecomeOneRowEachAndNeverChangeTheSitemapsState) {
  // 3 urlsets x 10 pages (feed_server.py); /pages/1/9 answers 500, /pages/2/9 404.
  constexpr int kPages = 30;
  constexpr int kGoodPages = kPages - 2;
  const auto sitemap = base_ + "/sitemap_index.xml";
  Cli("sources add " + sitemap + " --kind sitemap --config '{\"fetch_pages\": true, " +
      "\"max_depth\": 2}'");
  const std::string own_state =
      "SELECT concat_ws('|', etag, last_modified, consecutive_failures, last_status, "
      "last_error, retry_after_until, server_max_age) FROM sources WHERE url = '" + sitemap + "'";
  const std::string page_fetches =
      "SELECT count(*) FROM fetch_log WHERE url LIKE '%/pages/%' AND status IS NOT NULL";
  StartFleet();
  ASSERT_TRUE(WaitFor(
      [&] {
        return Scalar<int>("SELECT count(*) FROM item_embeddings") >= kGoodPages &&
               Scalar<int>(page_fetches) == kPages;
      },
      120s))
      << Scalar<int>("SELECT count(*) FROM items") << " items, "
      << Scalar<int>(page_fetches) << " page fetches logged";
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM items"), kGoodPages) << "one row per page";
  EXPECT_EQ(Scalar<int>("SELECT count(DISTINCT url) FROM items WHERE url LIKE '%/pages/%'"),
            kGoodPages);
  EXPECT_EQ(Scalar<int>("SELECT count(*) FROM fetch_log WHERE url LIKE '%/pages/%' "
                        "AND parent_request_id IS NOT NULL"),
            kPages)
      << "each page fetch names the sitemap fetch that found it";
  ASSERT_TRUE(WaitFor(
      [&] {
        return Scalar<int>("SELECT count(*) FROM sources WHERE lease_until IS NOT NULL") == 0;
      },
      30s))
      << "the sitemap's own outcome was loaded and its lease ended";
  // The index is served with no validators, no max-age, 200: none of its pages' ETags,
  // Last-Modified, max-age, 404 or 500 may show on its row.
  EXPECT_EQ(Scalar<std::string>(own_state), "0|200");

  // --- a second round: the same sitemaps and pages, fetched again in full -----------------------
  const auto rows_before = Rows();
  const double backend_calls = Metric("embedder", "tributary_embedder_backend_requests_total");
  const double unchanged_before = Metric("loader", "tributary_loader_items_unchanged_total");
  {
    pqxx::connection c(db_.Dsn());
    pqxx::work tx(c);
    tx.exec0("UPDATE sources SET next_fetch_at = now()");
    tx.commit();
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        return Scalar<int>(page_fetches) == 2 * kPages &&
               Metric("loader", "tributary_loader_items_unchanged_total") - unchanged_before >=
                   kGoodPages;
      },
      90s))
      << Scalar<int>(page_fetches) << " page fetches logged";
  EXPECT_EQ(Rows(), rows_before) << "no row was written (same xmin everywhere)";
  EXPECT_EQ(Metric("embedder", "tributary_embedder_backend_requests_total"), backend_calls)
      << "no embedding call";
  ASSERT_TRUE(WaitFor(
      [&] {
        return Scalar<int>("SELECT count(*) FROM sources WHERE lease_until IS NOT NULL") == 0;
      },
      30s));
  EXPECT_EQ(Scalar<std::string>(own_state), "0|200");
}

}  // namespace
}  // namespace tributary::e2e
