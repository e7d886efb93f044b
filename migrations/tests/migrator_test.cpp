#include "migrations/migrator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>


namespace tributary::migrations {
namespace {

using ::testing::HasSubstr;

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("mig-" + std::to_string(::getpid()) +
                                                               "-" + std::to_string(counter_++))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(Migrator, EmbeddedMigrationsAreOrderedAndChecksummed) {
  const auto migrations = MigrationsFromEmbedded();
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations.front().version, 1);
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    EXPECT_LT(migrations[i - 1].version, migrations[i].version);
  }
  for (const auto& m : migrations) {
    EXPECT_EQ(m.checksum.size(), 64U) << m.file_name;
    EXPECT_THAT(m.sql, HasSubstr("Rollback")) << m.file_name << " needs rollback notes";
  }
}

TEST(Migrator, DirectoryMigrationsSortByVersionNotByName) {
  TempDir dir;
  dir.Write("10_later.sql", "SELECT 10;");
  dir.Write("2_earlier.sql", "SELECT 2;");
  dir.Write("README.md", "ignored");
  const auto migrations = MigrationsFromDirectory(dir.path());
  ASSERT_EQ(migrations.size(), 2U);
  EXPECT_EQ(migrations[0].file_name, "2_earlier.sql");
  EXPECT_EQ(migrations[1].file_name, "10_later.sql");
}

TEST(Migrator, BadNamesAndDuplicateVersionsAreRefusedByName) {
  TempDir bad_name;
  bad_name.Write("init.sql", "SELECT 1;");
  try {
    MigrationsFromDirectory(bad_name.path());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("'init.sql' is not named NNNN_name.sql"));
  }
  TempDir duplicate;
  duplicate.Write("0001_a.sql", "SELECT 1;");
  duplicate.Write("001_b.sql", "SELECT 1;");
  try {
    MigrationsFromDirectory(duplicate.path());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("share version 1"));
  }
  EXPECT_THROW(MigrationsFromDirectory("/nonexistent/dir"), std::runtime_error);
}

TEST(Migrator, ANoTransactionFileIsSplitIntoItsStatements) {
  TempDir dir;
  dir.Write("0001_plain.sql", "CREATE TABLE a (id int);\n");
  dir.Write("0002_concurrent.sql",
            "-- tributary:no-transaction\n"
            "-- Why: a comment line; a ';' in it ends nothing\n"
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx\n"
            "  ON a (id);\n"
            "\n"
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx2 ON a (id);  \n"
            "ANALYZE a");
  const auto migrations = MigrationsFromDirectory(dir.path());
  ASSERT_EQ(migrations.size(), 2U);
  EXPECT_TRUE(migrations[0].in_transaction);
  EXPECT_FALSE(migrations[1].in_transaction);
  EXPECT_THAT(
      SplitStatements(migrations[1].sql),
      ::testing::ElementsAre("CREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx\n  ON a (id);\n",
                             "CREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx2 ON a (id);  \n",
                             "ANALYZE a\n"));
}

}  // namespace
}  // namespace tributary::migrations
