#include "common/pg/errors.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

namespace tributary::pg {
namespace {

TEST(PgErrors, TransientSqlStatesAreRetryable) {
  for (const char* state : {"40001", "40P01", "55P03", "57014", "08006", "57P01", "53300"}) {
    EXPECT_TRUE(ClassifySqlState(state, "x").retryable()) << state;
  }
}

TEST(PgErrors, DataAndConstraintErrorsArePermanent) {
  EXPECT_EQ(ClassifySqlState("23505", "dup").error_class, "pg.constraint");
  EXPECT_EQ(ClassifySqlState("22P02", "bad").error_class, "pg.data");
  EXPECT_EQ(ClassifySqlState("42601", "syntax").error_class, "pg.sql");
  EXPECT_FALSE(ClassifySqlState("23505", "dup").retryable());
}

TEST(PgErrors, ExceptionTypesMapToKinds) {
  EXPECT_EQ(Classify(pqxx::broken_connection("gone")).error_class, "pg.connection");
  EXPECT_TRUE(Classify(pqxx::in_doubt_error("maybe")).retryable());
  EXPECT_EQ(Classify(pqxx::deadlock_detected("d")).error_class, "pg.deadlock");
  EXPECT_EQ(Classify(pqxx::serialization_failure("s")).error_class, "pg.serialization");
  EXPECT_EQ(Classify(pqxx::unique_violation("u", "INSERT", "23505")).error_class,
            "pg.constraint");
  EXPECT_FALSE(Classify(std::runtime_error("other")).retryable());
}

TEST(PgErrors, MessagesAreMasked) {
  const auto error = Classify(pqxx::broken_connection(
      "could not connect: postgresql://loader:hunter2@db/tributary"));
  EXPECT_EQ(error.message.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace tributary::pg
