#include "common/pg/copy_in.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <limits>
#include <memory>

namespace tributary::pg {
namespace {

// largeobject is the one libpqxx 6.4 class that exposes a transaction's PGconn, to its
// subclasses; this one exists only to reach it.
class RawConnection : public pqxx::largeobject {
 public:
  static PGconn* Of(const pqxx::dbtransaction& tx) { return raw_connection(tx); }
};

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

[[noreturn]] void Throw(PGconn* conn, const PGresult* result, const std::string& statement) {
  if (PQstatus(conn) != CONNECTION_OK) throw pqxx::broken_connection(PQerrorMessage(conn));
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* message =
      result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  throw pqxx::sql_error(message, statement, state);
}

// Reads every remaining result so the connection is ready for the next statement; the first
// error among them is thrown.
std::size_t Drain(PGconn* conn, const std::string& statement) {
  std::size_t rows = 0;
  bool failed = false;
  std::string message;
  std::string state;
  while (PGresult* raw = PQgetResult(conn)) {
    ResultPtr result(raw, &PQclear);
    if (PQresultStatus(raw) == PGRES_COMMAND_OK) {
      rows = std::strtoull(PQcmdTuples(raw), nullptr, 10);
    } else if (!failed) {
      failed = true;
      message = PQresultErrorMessage(raw);
      const char* s = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
      state = s != nullptr ? s : "";
    }
  }
  if (PQstatus(conn) != CONNECTION_OK) throw pqxx::broken_connection(PQerrorMessage(conn));
  if (failed) throw pqxx::sql_error(message, statement, state.empty() ? nullptr : state.c_str());
  return rows;
}

}  // namespace

std::size_t CopyIn(pqxx::dbtransaction& tx, const std::string& copy_statement,
                   std::string_view payload) {
  PGconn* conn = RawConnection::Of(tx);
  ResultPtr started(PQexec(conn, copy_statement.c_str()), &PQclear);
  if (PQresultStatus(started.get()) != PGRES_COPY_IN) {
    Throw(conn, started.get(), copy_statement);
  }
  // PQputCopyData takes an int length: large payloads go in slices.
  constexpr std::size_t kSlice = std::numeric_limits<int>::max() / 2;
  for (std::size_t offset = 0; offset < payload.size(); offset += kSlice) {
    const auto slice = payload.substr(offset, kSlice);
    if (PQputCopyData(conn, slice.data(), static_cast<int>(slice.size())) != 1) {
      Throw(conn, nullptr, copy_statement);
    }
  }
  if (PQputCopyEnd(conn, nullptr) != 1) Throw(conn, nullptr, copy_statement);
  return Drain(conn, copy_statement);
}

}  // namespace tributary::pg
