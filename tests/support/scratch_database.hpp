#pragma once
// A fresh database per test, migrated with the real migrations (or left empty for the
// migrations' own tests), dropped afterwards. The admin connection uses the libpq PG* variables
// that deploy/local/env.sh exports.
#include <pqxx/pqxx>

#include <cstdint>
#include <string>
#include <vector>

namespace tributary::testing {

class ScratchDatabase {
 public:
  enum class Schema { kMigrated, kEmpty };
  explicit ScratchDatabase(Schema schema = Schema::kMigrated);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  [[nodiscard]] std::string Dsn() const { return "dbname=" + name_; }
  [[nodiscard]] const std::string& name() const { return name_; }

  // Inserts `count` sources and returns their ids.
  std::vector<std::int64_t> AddSources(int count);
  // One value of a single-row, single-column query.
  template <typename T>
  T Scalar(const std::string& query) {
    pqxx::connection c(Dsn());
    pqxx::read_transaction tx(c);
    return tx.exec1(query)[0].as<T>();
  }

 private:
  std::string name_;
};

}  // namespace tributary::testing
