#include "services/cli/migrator.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "common/log/log.hpp"
#include "common/pg/errors.hpp"
#include "migrations/embedded_migrations.hpp"

namespace tributary::cli {
namespace {

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
  auto checksum = Sha256Hex(sql);
  return {version, std::move(file_name), std::move(sql), std::move(checksum)};
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

// Releases the advisory lock however ApplyMigrations leaves.
class AdvisoryLock {
 public:
  explicit AdvisoryLock(pqxx::connection& connection) : connection_(connection) {
    pqxx::nontransaction tx(connection_);
    // Waiting for another migrate run is expected; give it time beyond the session default.
    tx.exec0("SET lock_timeout = '10min'");
    tx.exec(fmt::format("SELECT pg_advisory_lock({})", kMigrationLockKey));
  }
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;
  ~AdvisoryLock() {
    try {
      pqxx::nontransaction tx(connection_);
      tx.exec(fmt::format("SELECT pg_advisory_unlock({})", kMigrationLockKey));
      tx.exec0("RESET lock_timeout");
    } catch (const std::exception& e) {
      // The session may be gone; the server releases session locks with it.
      log::Get("migrate")->warn("could not release the migration lock: {}", e.what());
    }
  }

 private:
  pqxx::connection& connection_;
};

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  std::string out;
  for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

std::vector<Migration> MigrationsFromEmbedded() {
  std::vector<Migration> out;
  for (const auto& file : migrations::EmbeddedFiles()) {
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
  AdvisoryLock lock(connection);
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
  std::map<int, std::pair<std::string, std::string>> applied;  // version -> (file, checksum)
  {
    pqxx::read_transaction tx(connection);
    for (const auto& row :
         tx.exec("SELECT version, file_name, checksum FROM tributary_schema_migrations")) {
      applied[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
    }
  }
  std::set<int> known;
  MigrateReport report;
  for (const auto& migration : migrations) {
    known.insert(migration.version);
    if (const auto it = applied.find(migration.version); it != applied.end()) {
      if (it->second.second != migration.checksum) {
        return Fail(ErrorKind::kPermanent, "migrate.changed",
                    fmt::format("{} was changed after it was applied as {} (checksum differs); "
                                "migrations are forward-only: add a new file instead",
                                migration.file_name, it->second.first));
      }
      ++report.already_applied;
      continue;
    }
    const auto started = std::chrono::steady_clock::now();
    try {
      pqxx::work tx(connection);
      tx.exec(migration.sql);
      const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      tx.exec_params0(
          "INSERT INTO tributary_schema_migrations (version, file_name, checksum, duration_ms) "
          "VALUES ($1, $2, $3, $4)",
          migration.version, migration.file_name, migration.checksum,
          static_cast<int>(elapsed.count()));
      tx.commit();
      logger->info("applied {} in {} ms", migration.file_name, elapsed.count());
    } catch (const std::exception& e) {
      auto error = pg::Classify(e);
      error.message = fmt::format("{} failed: {}", migration.file_name, error.message);
      return tl::unexpected(error);
    }
    report.applied.push_back(migration.file_name);
  }
  for (const auto& [version, file] : applied) {
    if (!known.contains(version)) {
      logger->warn("the database has migration {} ({}) that this binary does not know: it was "
                   "migrated by a newer version", version, file.first);
    }
  }
  return report;
}

}  // namespace tributary::cli
