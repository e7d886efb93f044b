#pragma once
// Forward-only schema migrations (DESIGN §5). Files are named NNNN_name.sql and applied in
// version order, each in its own transaction, recorded in tributary_schema_migrations with a
// checksum. A file whose first line is `-- tributary:no-transaction` runs statement by
// statement outside any transaction and without a statement timeout, for what PostgreSQL
// refuses inside one (CREATE INDEX CONCURRENTLY, which builds an index on a populated table
// without blocking writes): each statement must end its line with ';' and be safe to run again
// (IF NOT EXISTS), as a failure leaves the ones before it applied; an INVALID index that an
// interrupted `CREATE INDEX CONCURRENTLY IF NOT EXISTS name` left is dropped before it runs
// again. An up-to-date database is answered from one read, without any lock (a running fleet
// never delays it). Otherwise a session-level advisory lock (pg::kMigrationLockKey) makes
// concurrent runs (two pods of a Helm hook, two test processes) wait for each other instead of
// racing; a run that waits logs which session it waits for.
#include <pqxx/pqxx>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace tributary::migrations {

struct Migration {
  int version = 0;
  std::string file_name;
  std::string sql;
  std::string checksum;  // hex SHA-256 of the SQL
  bool in_transaction = true;  // false: `-- tributary:no-transaction` on the first line
};

// The statements of a no-transaction file: each ends where a line ends with ';'; lines that
// are only a `--` comment are left out.
std::vector<std::string> SplitStatements(std::string_view sql);

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

}  // namespace tributary::migrations
