#pragma once
#include <chrono>
#include <string>

#include "common/config/spec.hpp"

namespace tributary::pg {

struct Settings {
  // A libpq connection string or URI. Empty: libpq's own PGHOST/PGPORT/PGUSER/PGPASSWORD/
  // PGDATABASE variables (and ~/.pgpass) decide, as with psql.
  std::string dsn;
  std::chrono::milliseconds statement_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds lock_timeout{std::chrono::seconds(10)};
  // How long to keep retrying a connection at start-up before giving up.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(60)};
};

void AddSettings(config::Spec& spec, Settings* settings);

}  // namespace tributary::pg
