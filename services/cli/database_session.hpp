#pragma once
// The PostgreSQL session of one CLI command: connects (retrying for --pg-connect-timeout) or
// says why it cannot, naming the command, with secrets masked.
#include <string>

#include "common/pg/database.hpp"

namespace tributary::cli {

// false after printing "tributary <command>: cannot connect to PostgreSQL: ..." to stderr.
bool Connect(pg::Database& database, const std::string& command);

}  // namespace tributary::cli
