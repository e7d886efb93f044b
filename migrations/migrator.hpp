#pragma once
// Forward-only schema migrations (DESIGN §5). Files are named NNNN_name.sql and applied in
// version order, each in its own transaction, recorded in tributary_schema_migrations with a
// checksum. An up-to-date database is answered from one read, without any lock (a running fleet
// never delays it). Otherwise a session-level advisory lock (pg::kMigrationLockKey) makes
// concurrent runs (two pods of a Helm hook, two test processes) wait for each other instead of
// racing; a run that waits logs which session it waits for.
#include <pqxx/pqxx>

#include <filesystem>
#include <string>
#include <vector>

#include "common/base/result.hpp"

namespace tributary::migrations {

struct Migration {
  int version = 0;
  std::string file_name;
  std::string sql;
  std::string checksum;  // hex SHA-256 of the SQL
};

// Parses and orders migrations; a bad name or a duplicate version throws, naming the file.
std::vector<Migration> MigrationsFromEmbedded();
std::vector<Migration> MigrationsFromDirectory(const std::filesystem::path& directory);

struct MigrateReport {
  std::vector<std::string> applied;   // file names applied by this run
  std::size_t already_applied = 0;
};

// Applies what is missing. Errors: a file changed after it was applied, a failing statement
// (the error names the file; that file's transaction is rolled back, earlier ones stay).
[[nodiscard]] Result<MigrateReport> ApplyMigrations(pqxx::connection& connection,
                                                    const std::vector<Migration>& migrations);

std::string Sha256Hex(std::string_view data);

}  // namespace tributary::migrations
