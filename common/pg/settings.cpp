#include "common/pg/settings.hpp"

namespace tributary::pg {

void AddSettings(config::Spec& spec, Settings* settings) {
  spec.Secret("pg-dsn", &settings->dsn,
              "PostgreSQL connection string or URI; empty uses libpq's PG* variables.")
      .Duration("pg-statement-timeout", &settings->statement_timeout,
                "statement_timeout for every session (0ms = none).")
      .Duration("pg-lock-timeout", &settings->lock_timeout,
                "lock_timeout for every session (0ms = none).")
      .Duration("pg-connect-timeout", &settings->connect_timeout,
                "How long to retry connecting before giving up.");
}

}  // namespace tributary::pg
