#pragma once
// COPY ... FROM STDIN (FORMAT binary) inside a libpqxx transaction. libpqxx 6.4 only streams
// text COPY, so this speaks libpq directly on the transaction's own connection: the rows land in
// the same transaction as the statements around them, and a failure throws the libpqxx
// exception types that pg::Classify understands (broken_connection, sql_error with SQLSTATE).
#include <string>
#include <string_view>

#include <pqxx/pqxx>

namespace tributary::pg {

// Sends `payload` (a complete binary COPY stream, see BinaryCopy) with `copy_statement`.
// Returns the number of rows the server copied.
std::size_t CopyIn(pqxx::dbtransaction& tx, const std::string& copy_statement,
                   std::string_view payload);

}  // namespace tributary::pg
