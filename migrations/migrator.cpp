#include "migrations/migrator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/digest/sha256.hpp"
#include "common/log/log.hpp"
#include "common/pg/advisory_locks.hpp"
#include "common/pg/errors.hpp"
#include "migrations/embedded_migrations.hpp"

namespace tributary::migrations {
namespace {

constexpr std::string_view kNoTransactionMarker = "-- tributary:no-transaction";

Migration Parse(std::string file_name, std::string sql) {
  // NNNN_name.sql: at least one digit, an underscore, a name, .sql
  const auto underscore = file_name.find('_');
  int version = 0;
  const auto [rest, ec] =
      std::from_chars(file_name.data(), file_name.data() + std::min(underscore, file_name.size()),
                      version);
  if (underscore == std::string::npos || ec != std::errc() ||
      rest != file_name.data() + underscore || version <= 0 || !file_name.ends_with(".sql")) {
    throw std::runtime_error("migration file '" + file_name +
                             "' is not named NNNN_name.sql with a positive version");
  }
  auto checksum = digest::Sha256HexOf(sql);
  const bool in_transaction = !sql.starts_with(kNoTransactionMarker);
  return {version, std::move(file_name), std::move(sql), std::move(checksum), in_transaction};
}

// The name in `CREATE INDEX CONCURRENTLY IF NOT EXISTS name ...`, or empty.
std::string ConcurrentIndexName(std::string_view statement) {
  static const std::regex kCreate(R"(^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+IF\s+NOT\s+)"
                                  R"(EXISTS\s+([A-Za-z_][A-Za-z0-9_]*))",
                                  std::regex::icase);
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_search(statement.begin(), statement.end(), match, kCreate)) return "";
  return match[2].str();
}

// Runs a no-transaction file's statements one by one (autocommit), first dropping what an
// interrupted concurrent build of the same index left behind.
void RunOutsideATransaction(pqxx::connection& connection, const Migration& migration) {
  pqxx::nontransaction tx(connection);
  tx.exec0("SET statement_timeout = 0");  // an index build on a large table takes its time
  for (const auto& statement : SplitStatements(migration.sql)) {
    if (const auto index = ConcurrentIndexName(statement); !index.empty()) {
      const bool invalid =
          tx.exec_params1("SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c "
                          "ON c.oid = i.indexrelid WHERE c.relname = $1 AND NOT i.indisvalid)",
                          index)[0]
              .as<bool>();
      if (invalid) {
        log::Get("migrate")->warn("{}: index {} is INVALID (an earlier build was interrupted): "
                                  "dropping it to build it again",
                                  migration.file_name, index);
        tx.exec0("DROP INDEX CONCURRENTLY IF EXISTS " + tx.quote_name(index));
      }
    }
    tx.exec0(statement);
  }
  tx.exec0("RESET statement_timeout");
}

std::vector<Migration> Ordered(std::vector<Migration> migrations) {
  std::sort(migrations.begin(), migrations.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version == migrations[i - 1].version) {
      throw std::runtime_error(fmt::format("migrations '{}' and '{}' share version {}",
                                           migrations[i - 1].file_name, migrations[i].file_name,
                                           migrations[i].version));
    }
  }
  return migrations;
}

// The session that holds the migration lock, for the message of a run that must wait for it.
std::string MigrationLockHolder(pqxx::connection& connection) {
  pqxx::read_transaction tx(connection);
  const auto rows = tx.exec_params(
      R"(SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local'),
                to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ')
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE )" + std::string(pg::kAdvisoryLockRow),
      pg::kMigrationLockKey);
  if (rows.empty()) return "a session that has just released it";
  return fmt::format("PostgreSQL backend pid {} (application_name '{}', client {}, connected {})",
                     rows[0][0].as<int>(), rows[0][1].as<std::string>(),
                     rows[0][2].as<std::string>(), rows[0][3].as<std::string>());
}

// Holds the migration lock (common/pg/advisory_locks.hpp) and releases it however
// ApplyMigrations leaves. Taken only when something is missing; a run that must wait says for
// whom, then waits up to kLockWait.
class MigrationLock {
 public:
  static constexpr std::chrono::minutes kLockWait{10};
  static constexpr std::chrono::milliseconds kLockPoll{200};

  explicit MigrationLock(pqxx::connection& connection) : connection_(connection) {
    {
      pqxx::nontransaction tx(connection_);
      if (tx.exec_params1("SELECT pg_try_advisory_lock($1)", pg::kMigrationLockKey)[0]
              .as<bool>()) {
        return;
      }
    }
    log::Get("migrate")->warn(
        "waiting up to {}min for the migration lock (advisory lock key {}), held by {}: "
        "another 'tributary migrate' is applying migrations",
        kLockWait.count(), pg::kMigrationLockKey, MigrationLockHolder(connection_));
    // Polled, not waited for in pg_advisory_lock: a statement that waits holds a snapshot,
    // and the holder's CREATE INDEX CONCURRENTLY waits for every older snapshot to end.
    const auto deadline = std::chrono::steady_clock::now() + kLockWait;
    while (std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(kLockPoll);
      pqxx::nontransaction tx(connection_);
      if (tx.exec_params1("SELECT pg_try_advisory_lock($1)", pg::kMigrationLockKey)[0]
              .as<bool>()) {
        return;
      }
    }
    throw std::runtime_error(fmt::format(
        "the migration lock (advisory lock key {}) was still held after {}min, by {}",
        pg::kMigrationLockKey, kLockWait.count(), MigrationLockHolder(connection_)));
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;
  ~MigrationLock() {
    try {
      pqxx::nontransaction tx(connection_);
      tx.exec_params("SELECT pg_advisory_unlock($1)", pg::kMigrationLockKey);
    } catch (const std::exception& e) {
      // The session may be gone; the server releases session locks with it.
      log::Get("migrate")->warn("could not release the migration lock: {}", e.what());
    }
  }

 private:
  pqxx::connection& connection_;
};

using AppliedVersions = std::map<int, std::pair<std::string, std::string>>;  // -> (file, checksum)

// What the database records as applied; empty before the first migration. Takes no lock.
AppliedVersions ReadApplied(pqxx::connection& connection) {
  AppliedVersions applied;
  pqxx::read_transaction tx(connection);
  if (tx.exec1("SELECT to_regclass('tributary_schema_migrations') IS NULL")[0].as<bool>()) {
    return applied;
  }
  for (const auto& row :
       tx.exec("SELECT version, file_name, checksum FROM tributary_schema_migrations")) {
    applied[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
  }
  return applied;
}

// The migrations not applied yet, in order; a file changed after it was applied is an error.
Result<std::vector<const Migration*>> Missing(const std::vector<Migration>& migrations,
                                              const AppliedVersions& applied) {
  std::vector<const Migration*> missing;
  for (const auto& migration : migrations) {
    const auto it = applied.find(migration.version);
    if (it == applied.end()) {
      missing.push_back(&migration);
    } else if (it->second.second != migration.checksum) {
      return Fail(ErrorKind::kPermanent, "migrate.changed",
                  fmt::format("{} was changed after it was applied as {} (checksum differs); "
                              "migrations are forward-only: add a new file instead",
                              migration.file_name, it->second.first));
    }
  }
  return missing;
}

void WarnAboutUnknown(const std::vector<Migration>& migrations, const AppliedVersions& applied) {
  std::set<int> known;
  for (const auto& migration : migrations) known.insert(migration.version);
  for (const auto& [version, file] : applied) {
    if (!known.contains(version)) {
      log::Get("migrate")->warn(
          "the database has migration {} ({}) that this binary does not know: it was migrated "
          "by a newer version",
          version, file.first);
    }
  }
}

}  // namespace

std::vector<std::string> SplitStatements(std::string_view sql) {
  std::vector<std::string> statements;
  std::string current;
  std::size_t start = 0;
  while (start < sql.size()) {
    auto end = sql.find('\n', start);
    if (end == std::string_view::npos) end = sql.size();
    auto line = sql.substr(start, end - start);
    start = end + 1;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line.substr(first).starts_with("--")) continue;
    current.append(line).push_back('\n');
    const auto last = line.find_last_not_of(" \t\r");
    if (line[last] == ';') {
      statements.push_back(std::move(current));
      current.clear();
    }
  }
  if (current.find_first_not_of(" \t\r\n") != std::string::npos) {
    statements.push_back(std::move(current));
  }
  return statements;
}

std::vector<Migration> MigrationsFromEmbedded() {
  std::vector<Migration> out;
  for (const auto& file : EmbeddedFiles()) {
    out.push_back(Parse(std::string(file.name), std::string(file.sql)));
  }
  return Ordered(std::move(out));
}

std::vector<Migration> MigrationsFromDirectory(const std::filesystem::path& directory) {
  if (!std::filesystem::is_directory(directory)) {
    throw std::runtime_error("--migrations-dir '" + directory.string() + "' is not a directory");
  }
  std::vector<Migration> out;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream sql;
    sql << in.rdbuf();
    out.push_back(Parse(entry.path().filename().string(), sql.str()));
  }
  return Ordered(std::move(out));
}

Result<MigrateReport> ApplyMigrations(pqxx::connection& connection,
                                      const std::vector<Migration>& migrations) {
  auto logger = log::Get("migrate");
  // Up to date (the usual case, e.g. every `helm upgrade` that adds no migration): answer from
  // a read alone, without the lock, so a running fleet or a slow concurrent run never delays it.
  auto applied = ReadApplied(connection);
  auto missing = Missing(migrations, applied);
  if (!missing) return tl::unexpected(missing.error());
  MigrateReport report;
  if (missing->empty()) {
    WarnAboutUnknown(migrations, applied);
    report.already_applied = migrations.size();
    return report;
  }

  MigrationLock lock(connection);
  {
    pqxx::work tx(connection);
    tx.exec0(R"(CREATE TABLE IF NOT EXISTS tributary_schema_migrations (
                  version     integer PRIMARY KEY,
                  file_name   text NOT NULL,
                  checksum    text NOT NULL,
                  applied_at  timestamptz NOT NULL DEFAULT now(),
                  duration_ms integer NOT NULL))");
    tx.commit();
  }
  // Read again under the lock: a concurrent run may have applied some while this one waited.
  applied = ReadApplied(connection);
  missing = Missing(migrations, applied);
  if (!missing) return tl::unexpected(missing.error());
  report.already_applied = migrations.size() - missing->size();
  for (const Migration* migration : *missing) {
    const auto started = std::chrono::steady_clock::now();
    try {
      if (!migration->in_transaction) RunOutsideATransaction(connection, *migration);
      pqxx::work tx(connection);
      if (migration->in_transaction) tx.exec(migration->sql);
      const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      tx.exec_params0(
          "INSERT INTO tributary_schema_migrations (version, file_name, checksum, duration_ms) "
          "VALUES ($1, $2, $3, $4)",
          migration->version, migration->file_name, migration->checksum,
          static_cast<int>(elapsed.count()));
      tx.commit();
      logger->info("applied {} in {} ms", migration->file_name, elapsed.count());
    } catch (const std::exception& e) {
      auto error = pg::Classify(e);
      error.message = fmt::format("{} failed: {}", migration->file_name, error.message);
      if (!migration->in_transaction) {
        error.message += " (it runs outside a transaction: the statements before the failing "
                         "one stay applied, and the whole file runs again next time)";
      }
      return tl::unexpected(error);
    }
    report.applied.push_back(migration->file_name);
  }
  WarnAboutUnknown(migrations, applied);
  return report;
}

}  // namespace tributary::migrations
