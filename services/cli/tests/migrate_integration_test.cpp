// Migrations against the real PostgreSQL + pgvector that deploy/local/up.sh starts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <csignal>
#include <fstream>
#include <thread>

#include "common/digest/sha256.hpp"
#include "common/pg/advisory_locks.hpp"
#include "migrations/migrator.hpp"
#include "tests/support/admin_probe.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/test_env.hpp"

namespace tributary::cli {
namespace {

using ::testing::HasSubstr;

using tributary::testing::ScratchDatabase;
using migrations::ApplyMigrations;
using migrations::MigrateReport;
using migrations::Migration;
using migrations::MigrationsFromEmbedded;
using digest::Sha256HexOf;
// These tests run the migrations themselves, on an empty database.
constexpr auto kEmpty = ScratchDatabase::Schema::kEmpty;

std::size_t MigrationRows(pqxx::connection& c) {
  pqxx::read_transaction tx(c);
  return tx.exec1("SELECT count(*) FROM tributary_schema_migrations")[0].as<std::size_t>();
}

TEST(Migrate, AppliesToAnEmptyDatabaseThenIsANoOp) {
  ScratchDatabase db(kEmpty);
  pqxx::connection c(db.Dsn());
  const auto migrations = MigrationsFromEmbedded();

  const auto first = ApplyMigrations(c, migrations);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->applied.size(), migrations.size());
  EXPECT_EQ(MigrationRows(c), migrations.size());

  const auto second = ApplyMigrations(c, migrations);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(second->already_applied, migrations.size());
  EXPECT_EQ(MigrationRows(c), migrations.size());

  pqxx::read_transaction tx(c);
  const auto vector = tx.exec("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
  ASSERT_EQ(vector.size(), 1U) << "pgvector is installed by the migrations";
  for (const char* table : {"sources", "items", "stories", "story_items", "embedding_models",
                            "item_embeddings", "fetch_log"}) {
    EXPECT_EQ(tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", table)[0].as<bool>(), true)
        << table;
  }
}

TEST(Migrate, TwoConcurrentRunsBothSucceedAndApplyEachFileOnce) {
  ScratchDatabase db(kEmpty);
  const auto migrations = MigrationsFromEmbedded();
  std::vector<Result<MigrateReport>> results(2, tl::unexpected(Error{}));
  std::vector<std::thread> runners;
  for (int i = 0; i < 2; ++i) {
    runners.emplace_back([&, i] {
      pqxx::connection c(db.Dsn());
      results[static_cast<std::size_t>(i)] = ApplyMigrations(c, migrations);
    });
  }
  for (auto& runner : runners) runner.join();
  ASSERT_TRUE(results[0]) << results[0].error().message;
  ASSERT_TRUE(results[1]) << results[1].error().message;
  EXPECT_EQ(results[0]->applied.size() + results[1]->applied.size(), migrations.size());
  pqxx::connection c(db.Dsn());
  EXPECT_EQ(MigrationRows(c), migrations.size());
}

TEST(Migrate, AChangedAppliedFileIsRefused) {
  ScratchDatabase db(kEmpty);
  pqxx::connection c(db.Dsn());
  auto migrations = MigrationsFromEmbedded();
  ASSERT_TRUE(ApplyMigrations(c, migrations));
  migrations.front().sql += "\n-- edited later\n";
  migrations.front().checksum = Sha256HexOf(migrations.front().sql);
  const auto result = ApplyMigrations(c, migrations);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("was changed after it was applied"));
}

TEST(Migrate, AFailingFileIsRolledBackAndNamed) {
  ScratchDatabase db(kEmpty);
  pqxx::connection c(db.Dsn());
  std::vector<Migration> migrations = {
      {1, "0001_ok.sql", "CREATE TABLE t_ok (id int);", Sha256HexOf("a")},
      {2, "0002_broken.sql", "CREATE TABLE t_half (id int); SELECT no_such_function();",
       Sha256HexOf("b")}};
  const auto result = ApplyMigrations(c, migrations);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("0002_broken.sql failed"));
  pqxx::read_transaction tx(c);
  EXPECT_TRUE(tx.exec1("SELECT to_regclass('t_ok') IS NOT NULL")[0].as<bool>());
  EXPECT_FALSE(tx.exec1("SELECT to_regclass('t_half') IS NOT NULL")[0].as<bool>())
      << "the failing file's transaction is rolled back whole";
}

class MigratedDatabase : public ::testing::Test {
 protected:
  void SetUp() override {
    connection_ = std::make_unique<pqxx::connection>(db_.Dsn());
    ASSERT_TRUE(ApplyMigrations(*connection_, MigrationsFromEmbedded()));
  }
  // Runs `sql` twice in separate transactions; returns the SQLSTATE of the second run.
  std::string SecondInsertState(const std::string& sql) {
    {
      pqxx::work tx(*connection_);
      tx.exec0(sql);
      tx.commit();
    }
    try {
      pqxx::work tx(*connection_);
      tx.exec0(sql);
      tx.commit();
    } catch (const pqxx::sql_error& e) {
      return e.sqlstate();
    }
    return "accepted";
  }
  ScratchDatabase db_{kEmpty};
  std::unique_ptr<pqxx::connection> connection_;
};

TEST_F(MigratedDatabase, DuplicateNaturalKeysAreRefused) {
  EXPECT_EQ(SecondInsertState("INSERT INTO sources (url, kind) VALUES ('https://a.example/feed', 'rss')"),
            "23505");
  EXPECT_EQ(SecondInsertState(
                "INSERT INTO items (source_id, external_id, observed_at, content_hash) "
                "SELECT id, 'guid-1', now(), sha256('x') FROM sources LIMIT 1"),
            "23505");
  EXPECT_EQ(SecondInsertState("INSERT INTO embedding_models (name, version, dims) "
                              "VALUES ('hash', 'v1', 384)"),
            "23505");
  EXPECT_EQ(SecondInsertState("INSERT INTO fetch_log (request_id, url, outcome, fetched_at) "
                              "VALUES ('r-1', 'https://a.example/feed', 'ok', now())"),
            "23505");
  EXPECT_EQ(SecondInsertState(
                "INSERT INTO stories (canonical_url_hash, canonical_url, first_seen_at, "
                "last_seen_at) VALUES (sha256('u'), 'https://a.example/1', now(), now())"),
            "23505");
  EXPECT_EQ(SecondInsertState(
                "INSERT INTO item_embeddings (item_id, model_id, content_hash, embedding, "
                "observed_at) SELECT i.id, m.id, i.content_hash, '[1,0,0]', now() "
                "FROM items i, embedding_models m LIMIT 1"),
            "23505");
}

TEST_F(MigratedDatabase, ConstraintsRefuseBadValues) {
  auto state_of = [&](const std::string& sql) -> std::string {
    try {
      pqxx::work tx(*connection_);
      tx.exec0(sql);
      tx.commit();
    } catch (const pqxx::sql_error& e) {
      return e.sqlstate();
    }
    return "accepted";
  };
  EXPECT_EQ(state_of("INSERT INTO sources (url, kind) VALUES ('ftp://x/feed', 'rss')"), "23514");
  EXPECT_EQ(state_of("INSERT INTO sources (url, kind) VALUES ('https://x/feed', 'gopher')"),
            "23514");
  EXPECT_EQ(state_of("INSERT INTO sources (url) VALUES (NULL)"), "23502");
}

// Full text: each item's language picks its configuration (stemming), the GIN index of 0011
// serves the documented query, and a tag PostgreSQL has no configuration for is `simple`.
TEST_F(MigratedDatabase, ItemsAreSearchableInTheirOwnLanguage) {
  {
    pqxx::work tx(*connection_);
    tx.exec0("INSERT INTO sources (url, kind) VALUES ('https://a.example/feed', 'rss')");
    tx.exec0(
        "INSERT INTO items (source_id, external_id, observed_at, content_hash, language, title, "
        "summary, content_text) SELECT s.id, v.id, now(), sha256(v.id::bytea), v.lang, v.title, "
        "v.summary, v.content FROM sources s, (VALUES "
        "('1', 'en-US', 'Ships', NULL, 'The harbours were running out of berths.'), "
        "('2', 'de_AT', 'Häfen', NULL, 'Die Schiffe liegen in den Häfen.'), "
        "('3', 'xx', 'Running', 'Only a summary about running.', '')) "
        "AS v(id, lang, title, summary, content)");
    tx.commit();
  }
  pqxx::work tx(*connection_);
  const auto config = [&](const char* language) {
    return tx.exec_params1("SELECT tributary_text_search_config($1)::text", language)[0]
        .as<std::string>();
  };
  EXPECT_EQ(config("en-GB"), "english");
  EXPECT_EQ(config("PT_br"), "portuguese");
  EXPECT_EQ(config("xx"), "simple");
  EXPECT_EQ(config(nullptr), "simple");
  const auto matches = [&](const char* language, const char* query) {
    std::vector<std::string> ids;
    for (const auto& row : tx.exec_params(
             "SELECT i.external_id FROM items i JOIN item_documents d ON d.item_id = i.id "
             "WHERE d.document @@ websearch_to_tsquery(tributary_text_search_config($1), $2) "
             "ORDER BY i.external_id",
             language, query)) {
      ids.push_back(row[0].as<std::string>());
    }
    return ids;
  };
  EXPECT_THAT(matches("en", "harbour run"), ::testing::ElementsAre("1"));   // english stems
  EXPECT_THAT(matches("de", "Hafen schiff"), ::testing::ElementsAre("2"));  // german stems
  EXPECT_THAT(matches("xx", "summary"), ::testing::ElementsAre("3"));       // summary: no content
  tx.exec0("SET LOCAL enable_seqscan = off");
  std::string plan;
  for (const auto& row :
       tx.exec("EXPLAIN SELECT item_id FROM item_documents "
               "WHERE document @@ websearch_to_tsquery('english', 'harbour')")) {
    plan += row[0].as<std::string>() + "\n";
  }
  EXPECT_THAT(plan, HasSubstr("item_documents_document_idx"));
}

// item_documents follows its items through the triggers of 0013: written on insert, rewritten
// when the text changes (also by the loader's upsert form), left alone otherwise, gone with it.
TEST_F(MigratedDatabase, StoredDocumentsFollowTheirItemsText) {
  const auto run = [&](const std::string& sql) {
    pqxx::work tx(*connection_);
    tx.exec0(sql);
    tx.commit();
  };
  const auto matching = [&](const char* query) {
    pqxx::read_transaction tx(*connection_);
    std::string ids;
    for (const auto& row : tx.exec_params(
             "SELECT i.external_id FROM items i JOIN item_documents d ON d.item_id = i.id "
             "WHERE d.document @@ websearch_to_tsquery('english', $1) ORDER BY 1",
             query)) {
      ids += row[0].as<std::string>() + ";";
    }
    return ids;
  };
  const auto document_version = [&] {
    pqxx::read_transaction tx(*connection_);
    return tx.exec1("SELECT d.xmin::text FROM item_documents d JOIN items i ON i.id = d.item_id "
                    "WHERE i.external_id = 'a'")[0]
        .as<std::string>();
  };
  run("INSERT INTO sources (url, kind) VALUES ('https://a.example/feed', 'rss')");
  run("INSERT INTO items (source_id, external_id, observed_at, content_hash, language, title, "
      "content_text) SELECT s.id, v.id, now(), sha256(v.id::bytea), 'en', v.title, v.text "
      "FROM sources s, (VALUES ('a', 'Harbours', 'Storms closed the port.'), "
      "('b', 'Rivers', 'Floods reached the bridge.')) AS v(id, title, text)");
  EXPECT_EQ(matching("storm"), "a;");
  EXPECT_EQ(matching("flood"), "b;");
  const auto written = document_version();

  run("UPDATE items SET authors = '{Ann}', published_at = now() WHERE external_id = 'a'");
  EXPECT_EQ(document_version(), written) << "neither title, text nor language changed";

  run("UPDATE items SET content_text = 'Fog kept the ferries in.' WHERE external_id = 'a'");
  EXPECT_EQ(matching("storm"), "");
  EXPECT_EQ(matching("ferry"), "a;");

  run("INSERT INTO items AS i (source_id, external_id, observed_at, content_hash, language, "
      "title, content_text) SELECT id, 'b', now(), sha256('b2'), 'en', 'Rivers', 'Ice on the "
      "lakes.' FROM sources ON CONFLICT (source_id, external_id) DO UPDATE SET "
      "content_text = excluded.content_text, content_hash = excluded.content_hash");
  EXPECT_EQ(matching("flood"), "");
  EXPECT_EQ(matching("lake"), "b;");

  run("DELETE FROM items WHERE external_id = 'b'");
  pqxx::read_transaction tx(*connection_);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM item_documents")[0].as<int>(), 1);
}

// A database that has items before 0013 gets their documents from 0014's fill, batch by batch.
TEST(Migrate, ItemsLoadedBeforeStoredDocumentsGetThemFilledIn) {
  ScratchDatabase db(kEmpty);
  pqxx::connection c(db.Dsn());
  auto before = MigrationsFromEmbedded();
  std::erase_if(before, [](const Migration& m) { return m.version >= 13; });
  ASSERT_TRUE(ApplyMigrations(c, before));
  {
    pqxx::work tx(c);
    tx.exec0("INSERT INTO sources (url, kind) VALUES ('https://a.example/feed', 'rss')");
    // More items than one batch of the fill (5,000), ids with a gap.
    tx.exec0("INSERT INTO items (id, source_id, external_id, observed_at, content_hash, "
             "language, title, content_text) OVERRIDING SYSTEM VALUE "
             "SELECT n + CASE WHEN n > 6000 THEN 100000 ELSE 0 END, s.id, n::text, now(), sha256(n::text::bytea), 'en', 'Item ' || n, "
             "CASE WHEN n % 1000 = 0 THEN 'A lighthouse stood here.' ELSE 'Nothing.' END "
             "FROM sources s, generate_series(1, 12000) AS n");
    tx.commit();
  }
  const auto all = ApplyMigrations(c, MigrationsFromEmbedded());
  ASSERT_TRUE(all) << all.error().message;
  pqxx::read_transaction tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM item_documents")[0].as<int>(), 12000);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM item_documents "
                     "WHERE document @@ websearch_to_tsquery('english', 'lighthouses')")[0]
                .as<int>(),
            12);
  EXPECT_FALSE(tx.exec1("SELECT to_regclass('items_text_search_idx') IS NOT NULL")[0].as<bool>())
      << "0011's expression index is dropped: nothing searches it any more";
}

// A model's index function makes its chunk index too; chunks keep their constraints.
TEST_F(MigratedDatabase, ChunksHaveAnIndexPerModelAndTheirConstraints) {
  pqxx::work tx(*connection_);
  const auto model = tx.exec1("INSERT INTO embedding_models (name, version, dims) VALUES "
                              "('m', 'v', 3) RETURNING id")[0]
                         .as<int>();
  tx.exec_params1("SELECT tributary_ensure_model_index($1)", model);
  EXPECT_TRUE(tx.exec_params1("SELECT to_regclass(tributary_chunk_index_name($1)) IS NOT NULL",
                              model)[0]
                  .as<bool>());
  EXPECT_TRUE(tx.exec_params1("SELECT to_regclass(tributary_model_index_name($1)) IS NOT NULL",
                              model)[0]
                  .as<bool>());
  tx.exec0("INSERT INTO sources (url, kind) VALUES ('https://a.example/feed', 'rss')");
  tx.exec0("INSERT INTO items (source_id, external_id, observed_at, content_hash) "
           "SELECT id, 'a', now(), sha256('a') FROM sources");
  tx.commit();
  const auto state_of = [&](const std::string& values) -> std::string {
    try {
      pqxx::work insert(*connection_);
      insert.exec0("INSERT INTO item_chunks (item_id, model_id, chunk, char_begin, char_end, "
                   "content_hash, embedding, observed_at) SELECT i.id, " +
                   std::to_string(model) + ", " + values + ", now() FROM items i");
      insert.commit();
    } catch (const pqxx::sql_error& e) {
      return e.sqlstate();
    }
    return "accepted";
  };
  EXPECT_EQ(state_of("0, 0, 10, sha256('c'), '[1,0,0]'"), "accepted");
  EXPECT_EQ(state_of("0, 0, 10, sha256('c'), '[1,0,0]'"), "23505");  // (item, model, chunk)
  EXPECT_EQ(state_of("1, 10, 10, sha256('c'), '[1,0,0]'"), "23514");  // empty passage
  EXPECT_EQ(state_of("-1, 0, 10, sha256('c'), '[1,0,0]'"), "23514");
  EXPECT_EQ(state_of("1, 0, 10, '\\x00', '[1,0,0]'"), "23514");      // not a SHA-256
  EXPECT_EQ(state_of("1, 0, 10, sha256('c'), '[1,0]'"), "22000");     // the index's dims
}

// A no-transaction file builds its index CONCURRENTLY; one that an interrupted build left
// INVALID is dropped and built again, not skipped by IF NOT EXISTS.
TEST(Migrate, ANoTransactionFileRebuildsAnIndexAnInterruptedBuildLeftInvalid) {
  ScratchDatabase db(kEmpty);
  pqxx::connection c(db.Dsn());
  {
    pqxx::work tx(c);
    tx.exec0("CREATE TABLE t (id int)");
    tx.exec0("INSERT INTO t VALUES (1), (1)");
    tx.commit();
  }
  {
    // A unique build over duplicates fails after creating its catalog entry: INVALID.
    pqxx::nontransaction tx(c);
    EXPECT_THROW(tx.exec0("CREATE UNIQUE INDEX CONCURRENTLY t_id_idx ON t (id)"),
                 pqxx::sql_error);
  }
  const auto valid = [&] {
    pqxx::read_transaction tx(c);
    return tx.exec1("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_id_idx'::regclass")[0]
        .as<bool>();
  };
  ASSERT_FALSE(valid());
  const std::string sql =
      "-- tributary:no-transaction\n-- Rollback: DROP INDEX t_id_idx;\n"
      "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_id_idx ON t (id);\n";
  const std::vector<Migration> migrations = {
      {1, "0001_index.sql", sql, Sha256HexOf(sql), /*in_transaction=*/false}};
  const auto result = ApplyMigrations(c, migrations);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(valid());
  EXPECT_EQ(MigrationRows(c), 1U);
}

TEST(Migrate, TheCliCommandMigratesAndReportsUpToDate) {
  ScratchDatabase db(kEmpty);
  const auto binary = (testing::BinDir() / "tributary").string();
  // The DSN names only the database; host, port and user come from libpq's PG* variables.
  const auto first = testing::RunCommand(binary + " migrate --pg-dsn=" + db.Dsn() +
                                         " --log-format=text 2>&1");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_THAT(first.output, HasSubstr("applied"));
  const auto second =
      testing::RunCommand(binary + " migrate --json --pg-dsn=" + db.Dsn() + " 2>&1");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_THAT(second.output, HasSubstr(R"("applied":[])"));
}

TEST(Migrate, TheCliNamesAnUnreachableDatabaseWithoutItsPassword) {
  const auto binary = (testing::BinDir() / "tributary").string();
  const auto result = testing::RunCommand(
      binary + " migrate --pg-connect-timeout=1s "
               "--pg-dsn='postgresql://tributary:hunter2@127.0.0.1:1/none' 2>&1");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("cannot connect to PostgreSQL"));
  EXPECT_THAT(result.output, ::testing::Not(HasSubstr("hunter2")));
}

// A copy of the built-in migrations plus one more file, as a release that adds a migration has.
std::filesystem::path MigrationsWithOneMore(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::create_directories(dir);
  for (const auto& migration : MigrationsFromEmbedded()) {
    std::ofstream(dir / migration.file_name, std::ios::binary) << migration.sql;
  }
  std::ofstream(dir / "0999_added_later.sql") << "CREATE TABLE added_later (id int);\n";
  return dir;
}

// The scheduler leads for as long as it lives, holding its advisory lock: migrate must neither
// wait for that lock (up to date) nor be kept from applying what is missing.
TEST(Migrate, RunsWhileASchedulerLeads) {
  const auto brokers = testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto prefix = testing::UniqueName("it-migrate-leader");
  testing::CreateTopic(brokers, prefix + ".fetch.requests", 1);
  ScratchDatabase db;
  const auto admin_port = testing::FreePort();
  const auto log = std::filesystem::temp_directory_path() / (prefix + ".log");
  testing::ChildProcess scheduler({"/bin/sh", "-c",
                                   "exec " + (testing::BinDir() / "tributary-scheduler").string() +
                                       " --kafka-brokers " + brokers + " --topic-prefix " +
                                       prefix + " --pg-dsn " + db.Dsn() + " --admin-port " +
                                       std::to_string(admin_port) + " 2>>" + log.string()});
  ASSERT_TRUE(testing::WaitFor(
      [&] { return testing::ScrapeMetric(admin_port, "tributary_scheduler_leader") == 1; },
      std::chrono::seconds(30)))
      << testing::RunCommand("tail -n 20 " + log.string()).output;
  ASSERT_EQ(db.Scalar<int>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                           "AND database = (SELECT oid FROM pg_database "
                           "WHERE datname = current_database())"),
            1)
      << "the scheduler holds its leader lock";

  // Bounded: a migrate waiting on the scheduler's lock would otherwise wait 10 minutes.
  const auto binary = "timeout 60 " + (testing::BinDir() / "tributary").string();
  const auto up_to_date =
      testing::RunCommand(binary + " migrate --json --pg-dsn=" + db.Dsn() + " 2>&1");
  ASSERT_EQ(up_to_date.exit_code, 0) << up_to_date.output;
  EXPECT_THAT(up_to_date.output, HasSubstr(R"("applied":[])"));

  const auto dir = MigrationsWithOneMore(prefix);
  const auto added = testing::RunCommand(binary + " migrate --json --pg-dsn=" + db.Dsn() +
                                         " --migrations-dir=" + dir.string() + " 2>&1");
  ASSERT_EQ(added.exit_code, 0) << added.output;
  EXPECT_THAT(added.output, HasSubstr(R"("applied":["0999_added_later.sql"])"));
  EXPECT_EQ(testing::ScrapeMetric(admin_port, "tributary_scheduler_leader"), 1)
      << "the scheduler still leads";
  EXPECT_EQ(scheduler.Stop(SIGTERM, std::chrono::seconds(20)), 0);
  std::filesystem::remove_all(dir);
  std::filesystem::remove(log);
}

// A run that must wait for another one's lock says what it waits for, then goes on when the
// lock is released.
TEST(Migrate, ARunThatMustWaitNamesTheSessionItWaitsFor) {
  ScratchDatabase db(kEmpty);
  pqxx::connection holder(db.Dsn());
  holder.set_variable("application_name", "'the-other-migrate'");
  {
    pqxx::nontransaction tx(holder);
    tx.exec_params("SELECT pg_advisory_lock($1)", pg::kMigrationLockKey);
  }
  testing::ChildProcess migrate({"/bin/sh", "-c",
                                 "exec " + (testing::BinDir() / "tributary").string() +
                                     " migrate --log-format=text --pg-dsn=" + db.Dsn() + " 2>&1"});
  std::string said;
  while (auto line = migrate.ReadLine(std::chrono::seconds(20))) {
    said += *line + "\n";
    if (line->find("waiting") != std::string::npos) break;
  }
  EXPECT_THAT(said, HasSubstr("waiting up to 10min for the migration lock"));
  EXPECT_THAT(said, HasSubstr("application_name 'the-other-migrate'"));
  EXPECT_FALSE(migrate.Wait(std::chrono::milliseconds(500))) << "it waits while the lock is held";
  {
    pqxx::nontransaction tx(holder);
    tx.exec_params("SELECT pg_advisory_unlock($1)", pg::kMigrationLockKey);
  }
  EXPECT_EQ(migrate.Wait(std::chrono::seconds(60)), 0);
  pqxx::connection c(db.Dsn());
  EXPECT_EQ(MigrationRows(c), MigrationsFromEmbedded().size());
}

}  // namespace
}  // namespace tributary::cli
