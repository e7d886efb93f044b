#include "tests/support/scratch_database.hpp"

#include <gtest/gtest.h>

#include "migrations/migrator.hpp"
#include "tests/support/test_env.hpp"

namespace tributary::testing {

ScratchDatabase::ScratchDatabase(Schema schema) : name_(UniqueName("it_db")) {
  for (auto& c : name_) c = c == '-' ? '_' : c;
  RequireEnv("PGHOST");
  {
    pqxx::connection admin("");
    pqxx::nontransaction tx(admin);
    tx.exec0("CREATE DATABASE " + tx.quote_name(name_));
  }
  if (schema == Schema::kEmpty) return;
  pqxx::connection c(Dsn());
  const auto applied = migrations::ApplyMigrations(c, migrations::MigrationsFromEmbedded());
  if (!applied) throw std::runtime_error("migrations failed: " + applied.error().message);
}

ScratchDatabase::~ScratchDatabase() {
  try {
    pqxx::connection admin("");
    pqxx::nontransaction tx(admin);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cannot drop " << name_ << ": " << e.what();
  }
}

std::vector<std::int64_t> ScratchDatabase::AddSources(int count) {
  pqxx::connection c(Dsn());
  pqxx::work tx(c);
  std::vector<std::int64_t> ids;
  for (const auto& row : tx.exec_params(
           "INSERT INTO sources (url) SELECT 'https://source' || g || '.example/feed' "
           "FROM generate_series(1, $1) g RETURNING id",
           count)) {
    ids.push_back(row[0].as<std::int64_t>());
  }
  tx.commit();
  return ids;
}

}  // namespace tributary::testing
