// pg::Database against the real PostgreSQL: session settings, reconnect after the backend is
// killed, and the retry/permanent split on real server errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "common/pg/database.hpp"
#include "tests/support/test_env.hpp"

namespace tributary::pg {
namespace {

using namespace std::chrono_literals;

Settings LocalSettings() {
  testing::RequireEnv("PGHOST");
  return {.dsn = "", .statement_timeout = 2s, .lock_timeout = 300ms};
}

int BackendPid(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  return tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
}

TEST(PgDatabase, SessionCarriesTheTimeoutsAndApplicationName) {
  Database db(LocalSettings(), "tributary-test");
  const auto values = db.Run([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    return std::make_tuple(tx.exec1("SHOW statement_timeout")[0].as<std::string>(),
                           tx.exec1("SHOW lock_timeout")[0].as<std::string>(),
                           tx.exec1("SHOW application_name")[0].as<std::string>());
  });
  ASSERT_TRUE(values) << values.error().message;
  EXPECT_EQ(std::get<0>(*values), "2s");
  EXPECT_EQ(std::get<1>(*values), "300ms");
  EXPECT_EQ(std::get<2>(*values), "tributary-test");
}

TEST(PgDatabase, ReconnectsAndRetriesAfterTheBackendIsTerminated) {
  Database db(LocalSettings(), "tributary-test");
  const int first_pid = BackendPid(db.Connection());
  {
    pqxx::connection killer("");
    pqxx::nontransaction tx(killer);
    tx.exec_params("SELECT pg_terminate_backend($1)", first_pid);
  }
  int attempts = 0;
  db.Prepare("backend_pid", "SELECT pg_backend_pid() + $1");
  const auto pid = db.Run([&](pqxx::connection& c) {
    ++attempts;
    pqxx::work tx(c);
    // The prepared statement exists on the new session too.
    const int p = tx.exec_prepared1("backend_pid", 0)[0].as<int>();
    tx.commit();
    return p;
  });
  ASSERT_TRUE(pid) << pid.error().message;
  EXPECT_NE(*pid, first_pid) << "a new session replaced the terminated one";
  EXPECT_GE(attempts, 2) << "the first attempt met the dead connection and was retried";
}

TEST(PgDatabase, LockTimeoutIsRetryableAndGivesUpWhenAsked) {
  pqxx::connection holder("");
  pqxx::work hold(holder);
  hold.exec("SELECT pg_advisory_xact_lock(424242)");  // held until `hold` rolls back
  Database db(LocalSettings(), "tributary-test");
  const auto result = db.Run(
      [](pqxx::connection& c) {
        pqxx::work tx(c);
        tx.exec0("SET LOCAL lock_timeout = '100ms'");
        tx.exec("SELECT pg_advisory_xact_lock(424242)");
        tx.commit();
      },
      1s);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().error_class, "pg.lock_timeout");
  EXPECT_TRUE(result.error().retryable());
}

TEST(PgDatabase, PermanentErrorsReturnAtOnceWithoutRetry) {
  Database db(LocalSettings(), "tributary-test");
  int attempts = 0;
  const auto result = db.Run([&](pqxx::connection& c) {
    ++attempts;
    pqxx::work tx(c);
    tx.exec("SELECT 1/0");
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(result.error().error_class, "pg.data");
  EXPECT_FALSE(result.error().retryable());
}

}  // namespace
}  // namespace tributary::pg
