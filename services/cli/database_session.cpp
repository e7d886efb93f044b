#include "services/cli/database_session.hpp"

#include <iostream>

namespace tributary::cli {

bool Connect(pg::Database& database, const std::string& command) {
  auto connected = database.Run([](pqxx::connection& c) { return c.is_open(); },
                                database.settings().connect_timeout);
  if (!connected) {
    std::cerr << "tributary " << command
              << ": cannot connect to PostgreSQL: " << connected.error().message << "\n";
    return false;
  }
  return true;
}

}  // namespace tributary::cli
