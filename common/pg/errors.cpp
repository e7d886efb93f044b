#include "common/pg/errors.hpp"

#include <pqxx/pqxx>

#include "common/log/mask.hpp"

namespace tributary::pg {

Error ClassifySqlState(std::string_view sqlstate, std::string message) {
  message = log::Mask(message);
  auto retryable = [&](const char* error_class) {
    return Error{ErrorKind::kRetryable, error_class, std::move(message)};
  };
  if (sqlstate == "40001") return retryable("pg.serialization");
  if (sqlstate == "40P01") return retryable("pg.deadlock");
  if (sqlstate == "55P03") return retryable("pg.lock_timeout");
  if (sqlstate == "57014") return retryable("pg.statement_timeout");
  if (sqlstate.starts_with("08")) return retryable("pg.connection");
  if (sqlstate.starts_with("57P")) return retryable("pg.shutdown");  // admin/crash shutdown
  if (sqlstate.starts_with("53")) return retryable("pg.resources");  // e.g. too many connections
  if (sqlstate.starts_with("23")) return {ErrorKind::kPermanent, "pg.constraint", message};
  if (sqlstate.starts_with("22")) return {ErrorKind::kPermanent, "pg.data", message};
  return {ErrorKind::kPermanent, "pg.sql", message};
}

Error Classify(const std::exception& error) {
  if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr) {
    return {ErrorKind::kRetryable, "pg.connection", log::Mask(error.what())};
  }
  // The commit may or may not have happened; every write is an idempotent upsert, so redoing
  // it is safe.
  if (dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr) {
    return {ErrorKind::kRetryable, "pg.in_doubt", log::Mask(error.what())};
  }
  // libpqxx 6.4 throws 40001/40P01 as these types, which are not sql_errors and carry no
  // SQLSTATE, so the type is the only signal.
  if (dynamic_cast<const pqxx::serialization_failure*>(&error) != nullptr) {
    return {ErrorKind::kRetryable, "pg.serialization", log::Mask(error.what())};
  }
  if (dynamic_cast<const pqxx::deadlock_detected*>(&error) != nullptr) {
    return {ErrorKind::kRetryable, "pg.deadlock", log::Mask(error.what())};
  }
  if (dynamic_cast<const pqxx::statement_completion_unknown*>(&error) != nullptr) {
    return {ErrorKind::kRetryable, "pg.in_doubt", log::Mask(error.what())};
  }
  if (dynamic_cast<const pqxx::transaction_rollback*>(&error) != nullptr) {
    return {ErrorKind::kRetryable, "pg.rollback", log::Mask(error.what())};
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
    return ClassifySqlState(sql->sqlstate(), sql->what());
  }
  return {ErrorKind::kPermanent, "pg.other", log::Mask(error.what())};
}

}  // namespace tributary::pg
