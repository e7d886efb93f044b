// Migrations against the real PostgreSQL + pgvector that deploy/local/up.sh starts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <csignal>
#include <fstream>
#include <thread>

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
using migrations::Sha256Hex;
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
  migrations.front().checksum = Sha256Hex(migrations.front().sql);
  const auto result = ApplyMigrations(c, migrations);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("was changed after it was applied"));
}

TEST(Migrate, AFailingFileIsRolledBackAndNamed) {
  ScratchDatabase db(kEmpty);
  pqxx::connection c(db.Dsn());
  std::vector<Migration> migrations = {
      {1, "0001_ok.sql", "CREATE TABLE t_ok (id int);", Sha256Hex("a")},
      {2, "0002_broken.sql", "CREATE TABLE t_half (id int); SELECT no_such_function();",
       Sha256Hex("b")}};
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
