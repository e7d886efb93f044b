// The scheduler against the real PostgreSQL (a scratch database with the real migrations) and
// the real broker: due sources leased and emitted once, outcomes turned into next fetch times,
// refused requests released, and a standby taking over without scheduling anything twice.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/codec/codec.hpp"
#include "common/codec/politeness_key.hpp"
#include "common/digest/sha256.hpp"
#include "common/metrics/registry.hpp"
#include "tests/support/scratch_database.hpp"
#include "services/scheduler/kafka_request_sink.hpp"
#include "services/scheduler/pg_schedule_store.hpp"
#include "services/scheduler/scheduler.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"
#include "tributary/v1/fetch.pb.h"

namespace tributary::scheduler {
namespace {

using namespace std::chrono_literals;
using tributary::testing::ScratchDatabase;

class RefusingSink final : public RequestSink {
 public:
  std::vector<bool> SendAll(std::vector<kafka::Record> records) override {
    return std::vector<bool>(records.size(), false);
  }
};

// One scheduler replica: its own session, producer and metrics.
struct Replica {
  Replica(const ScratchDatabase& db, const std::string& brokers, const std::string& topic)
      : database({.dsn = db.Dsn()}, "tributary-scheduler-it"),
        producer({.brokers = brokers}, "scheduler-it", registry),
        sink(producer, 30s),
        metrics(registry),
        store(database),
        scheduler(store, sink, {.requests_topic = topic, .lease = Seconds(600)}, metrics,
                  [] { return 0.5; }) {}

  RoundResult Round() {
    auto round = scheduler.Round();
    EXPECT_TRUE(round.has_value()) << round.error().ToString();
    return round.value_or(RoundResult{});
  }

  metrics::Registry registry;
  pg::Database database;
  kafka::Producer producer;
  KafkaRequestSink sink;
  SchedulerMetrics metrics;
  PgScheduleStore store;
  Scheduler scheduler;
};

// A replica whose broker refuses every record.
struct RefusedReplica {
  RefusedReplica(const ScratchDatabase& db, const std::string& topic)
      : metrics(registry),
        database({.dsn = db.Dsn()}, "tributary-scheduler-it"),
        store(database),
        scheduler(store, refusing, {.requests_topic = topic}, metrics, [] { return 0.5; }) {}

  metrics::Registry registry;
  SchedulerMetrics metrics;
  RefusingSink refusing;
  pg::Database database;
  PgScheduleStore store;
  Scheduler scheduler;
};

struct SchedulerRound : ::testing::Test {
  SchedulerRound()
      : brokers(::tributary::testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS")),
        topic(::tributary::testing::UniqueName("it-scheduler-requests")) {
    ::tributary::testing::CreateTopic(brokers, topic, 3);
  }

  void Exec(const std::string& sql) {
    pqxx::connection c(db.Dsn());
    pqxx::work tx(c);
    tx.exec0(sql);
    tx.commit();
  }

  std::vector<v1::FetchRequest> Requests(std::size_t count) {
    std::vector<v1::FetchRequest> out;
    for (const auto& m : ::tributary::testing::ReadAll(brokers, topic, count, 20s)) {
      auto request = codec::Decode<v1::FetchRequest>(m.value, "");
      EXPECT_TRUE(request.has_value());
      EXPECT_EQ(m.key, codec::PolitenessKey(request->url(), codec::PolitenessScope::kHost))
          << "keyed by host";
      EXPECT_TRUE(m.Header("traceparent").has_value());
      out.push_back(*request);
    }
    return out;
  }

  // What the loader writes when a fetch outcome arrives.
  void LoadOutcome(std::int64_t source, const std::string& extra_sources_sql) {
    Exec("INSERT INTO fetch_log (request_id, source_id, url, status, outcome, bytes, fetched_at) "
         "SELECT last_request_id, id, url, 200, 'ok', 100, now() FROM sources WHERE id = " +
         std::to_string(source));
    Exec("UPDATE sources SET last_fetched_at = now(), observed_at = now()" + extra_sources_sql +
         " WHERE id = " + std::to_string(source));
  }

  std::string brokers;
  std::string topic;
  ScratchDatabase db;
};

TEST_F(SchedulerRound, EveryFetchOfOneHostLandsOnOnePartition) {
  // 12 sources on 3 hosts, over 3 partitions: each host's requests share one partition, so
  // one fetcher replica owns the host (issue 20).
  Exec("INSERT INTO sources (url) SELECT 'https://' || h || '.example/feed-' || g "
       "FROM generate_series(1, 4) g, unnest(ARRAY['news', 'blog', 'shop']) h");
  Replica replica(db, brokers, topic);
  EXPECT_EQ(replica.Round().emitted, 12U);
  std::map<std::string, std::set<std::int32_t>> partitions_of_host;
  for (const auto& m : ::tributary::testing::ReadAll(brokers, topic, 12, 20s)) {
    const auto request = codec::Decode<v1::FetchRequest>(m.value, "");
    ASSERT_TRUE(request.has_value());
    partitions_of_host[codec::PolitenessKey(request->url(), codec::PolitenessScope::kHost)]
        .insert(m.partition);
  }
  ASSERT_EQ(partitions_of_host.size(), 3U);
  for (const auto& [host, partitions] : partitions_of_host) {
    EXPECT_EQ(partitions.size(), 1U) << host << " spread over partitions";
  }
}

TEST_F(SchedulerRound, EmitsEachDueSourceOnceAndReschedulesItFromItsOutcome) {
  Exec("INSERT INTO sources (url, kind, etag, last_modified, config) VALUES "
       "('https://a.example/feed', 'rss', '\"e1\"', 'Tue, 01 Dec 2026 10:00:00 GMT', "
       " '{\"respect_robots\": true, \"max_depth\": 2}'), "
       "('https://b.example/feed', 'auto', NULL, NULL, '{}')");
  Exec("INSERT INTO sources (url, enabled) VALUES ('https://disabled.example/feed', false)");
  Exec("INSERT INTO sources (url, next_fetch_at) VALUES "
       "('https://later.example/feed', now() + interval '1 hour')");
  Replica replica(db, brokers, topic);

  auto round = replica.Round();
  EXPECT_TRUE(round.leader);
  EXPECT_EQ(round.emitted, 2U);
  auto requests = Requests(2);
  ASSERT_EQ(requests.size(), 2U);
  std::sort(requests.begin(), requests.end(),
            [](const auto& x, const auto& y) { return x.source_id() < y.source_id(); });
  const auto& a = requests[0];
  EXPECT_EQ(a.url(), "https://a.example/feed");
  EXPECT_EQ(a.kind(), v1::SOURCE_KIND_RSS);
  EXPECT_EQ(a.etag(), "\"e1\"");
  EXPECT_EQ(a.last_modified(), "Tue, 01 Dec 2026 10:00:00 GMT");
  EXPECT_TRUE(a.options().respect_robots());
  EXPECT_EQ(a.options().max_depth(), 2U);
  EXPECT_EQ(db.Scalar<std::string>("SELECT last_request_id FROM sources WHERE id = " +
                                   std::to_string(a.source_id())),
            a.request_id());
  EXPECT_EQ(requests[1].url(), "https://b.example/feed");
  EXPECT_EQ(requests[1].etag(), "");

  // Leased: the next rounds emit nothing, however often they run.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(replica.Round().emitted, 0U);

  // a: fetched fine, the server says max-age 2 h. b: its 5th failure in a row.
  LoadOutcome(a.source_id(), ", server_max_age = interval '2 hours'");
  LoadOutcome(requests[1].source_id(), ", consecutive_failures = 5");
  round = replica.Round();
  EXPECT_EQ(round.rescheduled, 2U);
  EXPECT_EQ(round.emitted, 0U);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM sources WHERE lease_until IS NOT NULL"), 0);
  EXPECT_NEAR(db.Scalar<double>("SELECT extract(epoch FROM next_fetch_at - now()) FROM sources "
                                "WHERE id = " + std::to_string(a.source_id())),
              7200, 30);
  // 30 min * 2^5 = 16 h, capped at the default 6 h.
  EXPECT_NEAR(db.Scalar<double>("SELECT extract(epoch FROM next_fetch_at - now()) FROM sources "
                                "WHERE id = " + std::to_string(requests[1].source_id())),
              6 * 3600, 30);
  EXPECT_EQ(replica.metrics.failing.Value(), 1) << "b reached --failure-threshold (5)";
  // Freshness (the SLO's gauges): a and b were fetched just now, `later` was added just now
  // (the disabled one does not count). Once a's last fetch is older than twice its interval
  // (30 min), it is stale; b was fetched but failed, and is fresh.
  EXPECT_EQ(replica.metrics.enabled.Value(), 3);
  EXPECT_EQ(replica.metrics.stale.Value(), 0);
  Exec("UPDATE sources SET last_fetched_at = now() - interval '61 minutes' WHERE id = " +
       std::to_string(a.source_id()));
  replica.Round();
  EXPECT_EQ(replica.metrics.stale.Value(), 1);

  // Due again: a new request with a new id.
  Exec("UPDATE sources SET next_fetch_at = now() - interval '1 second' WHERE id = " +
       std::to_string(a.source_id()));
  EXPECT_EQ(replica.Round().emitted, 1U);
  // (Partitions interleave when read back, so the new request is found by source.)
  std::set<std::string> ids_of_a;
  for (const auto& r : Requests(3)) {
    if (r.source_id() == a.source_id()) ids_of_a.insert(r.request_id());
  }
  EXPECT_EQ(ids_of_a.size(), 2U) << "a second request for a, with a new request id";
}

TEST_F(SchedulerRound, RequestsTheBrokerRefusesAreDueAgainAtOnce) {
  Exec("INSERT INTO sources (url) SELECT 'https://s' || g || '.example/' "
       "FROM generate_series(1, 4) g");
  RefusedReplica broken(db, topic);
  auto round = broken.scheduler.Round();
  ASSERT_TRUE(round.has_value());
  EXPECT_EQ(round->emitted, 0U);
  EXPECT_EQ(round->failed, 4U);
  EXPECT_EQ(broken.metrics.emit_failures.Value(), 4);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM sources WHERE lease_until IS NULL "
                           "AND next_fetch_at <= now()"),
            4);
  broken.database.Disconnect();  // gives up the lock for the next replica

  Replica replica(db, brokers, topic);
  EXPECT_EQ(replica.Round().emitted, 4U);
  EXPECT_EQ(Requests(4).size(), 4U);
}

// Issue 19: items whose article is wanted (the loader's mark) become page fetches once each;
// an item of a disabled source waits; a request that got no outcome within the lease is asked
// again (same request id), at most 3 times in all; refused requests are wanted again.
TEST_F(SchedulerRound, WantedArticlesArePageFetchesAskedOnceAndAgainOnlyAfterTheLease) {
  Exec("INSERT INTO sources (url, config, next_fetch_at) VALUES "
       "('https://news.example/feed', '{\"respect_robots\": true}', now() + interval '1 hour'),"
       "('https://off.example/feed', '{}', now() + interval '1 hour')");
  Exec("UPDATE sources SET enabled = false WHERE url LIKE 'https://off.%'");
  Exec("INSERT INTO items (source_id, external_id, url, content_hash, observed_at, request_id, "
       "                   article_state, title) "
       "SELECT s.id, 'guid-' || g, 'https://' || split_part(s.url, '/', 3) || '/story/' || g, "
       "       sha256(g::text::bytea), '2026-12-01 10:00:00.123456+00', 'feed-req', "
       "       CASE WHEN g = 3 THEN NULL ELSE 'wanted' END, 'Story ' || g "
       "  FROM sources s, generate_series(1, 3) g");
  Replica replica(db, brokers, topic);
  EXPECT_EQ(replica.Round().articles, 2U) << "the enabled source's two wanted items";
  auto requests = Requests(2);
  ASSERT_EQ(requests.size(), 2U);
  std::sort(requests.begin(), requests.end(),
            [](const auto& a, const auto& b) { return a.url() < b.url(); });
  EXPECT_EQ(requests[0].url(), "https://news.example/story/1");
  EXPECT_EQ(requests[0].kind(), v1::SOURCE_KIND_PAGE);
  EXPECT_EQ(requests[0].depth(), 1U);
  EXPECT_EQ(requests[0].parent_request_id(), "feed-req");
  EXPECT_TRUE(requests[0].options().respect_robots());
  EXPECT_EQ(requests[0].article_of().external_id(), "guid-1");
  EXPECT_EQ(requests[0].article_of().content_hash(), digest::Sha256Of("1"));
  EXPECT_EQ(requests[0].article_of().observed_at().seconds(), 1'796'119'200);
  EXPECT_EQ(requests[0].article_of().observed_at().nanos(), 123'456'000);
  EXPECT_EQ(requests[0].article_of().title(), "Story 1");
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM items WHERE article_state = 'requested' AND "
                           "article_attempts = 1"),
            2);
  EXPECT_EQ(replica.Round().articles, 0U) << "asked once";

  // No outcome within the lease (a crash, a lost page): asked again under the same id.
  Exec("UPDATE items SET article_requested_at = now() - interval '11 minutes' "
       "WHERE external_id = 'guid-1' AND article_state = 'requested'");
  EXPECT_EQ(replica.Round().articles, 1U);
  const auto again = Requests(3);
  ASSERT_EQ(again.size(), 3U);
  EXPECT_EQ(again[2].request_id(), requests[0].request_id()) << "one fetch_log row";
  Exec("UPDATE items SET article_requested_at = now() - interval '11 minutes', "
       "article_attempts = 3 WHERE external_id = 'guid-1' AND article_state = 'requested'");
  EXPECT_EQ(replica.Round().articles, 0U) << "3 attempts in all";
  replica.database.Disconnect();

  // Requests the broker refuses are wanted again at once.
  Exec("UPDATE items SET article_state = 'wanted', article_attempts = NULL "
       "WHERE external_id = 'guid-2' AND source_id = (SELECT min(id) FROM sources)");
  RefusedReplica broken(db, topic);
  ASSERT_TRUE(broken.scheduler.Round().has_value());
  EXPECT_EQ(db.Scalar<std::string>(
                "SELECT article_state || ' ' || coalesce(article_attempts, 0) FROM items i JOIN "
                "sources s ON s.id = i.source_id WHERE s.enabled AND external_id = 'guid-2'"),
            "wanted 0");
}

TEST_F(SchedulerRound, AStandbyTakesOverWithoutSchedulingAnythingTwice) {
  Exec("INSERT INTO sources (url) SELECT 'https://s' || g || '.example/' "
       "FROM generate_series(1, 5) g");
  Replica active(db, brokers, topic);
  Replica standby(db, brokers, topic);
  EXPECT_TRUE(active.Round().leader);
  auto waiting = standby.Round();
  EXPECT_FALSE(waiting.leader);
  EXPECT_EQ(waiting.emitted, 0U);
  EXPECT_EQ(standby.metrics.leader.Value(), 0);
  EXPECT_EQ(active.metrics.leader.Value(), 1);

  // The active replica's session ends (a crash closes its socket the same way). Its backend
  // lets go of the lock when it notices, a moment after the socket closes: wait for that, as
  // the standby's next scheduling round would.
  active.database.Disconnect();
  ASSERT_TRUE(tributary::testing::WaitFor(
      [&] {
        return db.Scalar<int>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                              "database = (SELECT oid FROM pg_database WHERE datname = "
                              "current_database())") == 0;
      },
      std::chrono::seconds(10)))
      << "the disconnected replica's backend released the scheduling lock";
  auto took_over = standby.Round();
  EXPECT_TRUE(took_over.leader) << "the standby takes the lock on its next round";
  EXPECT_EQ(took_over.emitted, 0U) << "leased sources are not scheduled again";

  Exec("INSERT INTO sources (url) VALUES ('https://new.example/')");
  EXPECT_EQ(standby.Round().emitted, 1U);
  // The old active replica comes back: it must now stand by.
  EXPECT_FALSE(active.Round().leader);

  const auto requests = Requests(6);
  std::multiset<std::int64_t> sources;
  for (const auto& r : requests) sources.insert(r.source_id());
  EXPECT_EQ(requests.size(), 6U);
  for (const auto id : sources) EXPECT_EQ(sources.count(id), 1U) << "source " << id;
}

}  // namespace
}  // namespace tributary::scheduler
