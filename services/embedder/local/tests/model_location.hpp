#pragma once
// Where tests find the real model (deploy/local/install.sh puts it in .local/models) and their
// reference fixtures (bench/embedder/reference/make_fixtures.py writes them).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tributary::embedder::local::testing {

// $TRIBUTARY_MODEL_DIR, else the all-MiniLM-L6-v2 folder install.sh makes.
inline std::string ModelDir() {
  if (const char* dir = std::getenv("TRIBUTARY_MODEL_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return std::string(TRIBUTARY_SOURCE_DIR) + "/.local/models/all-MiniLM-L6-v2";
}

// Skips the test when the model is not installed; under CI=true that fails instead, since CI
// runs deploy/local/install.sh first and a missing model there is a broken install.
#define TRIBUTARY_REQUIRE_MODEL()                                                              \
  do {                                                                                         \
    const auto dir = ::tributary::embedder::local::testing::ModelDir();                       \
    if (!std::filesystem::exists(dir + "/model.safetensors")) {                               \
      const char* ci = std::getenv("CI");                                                      \
      if (ci != nullptr && std::string_view(ci) == "true") {                                   \
        FAIL() << "CI=true but no model in " << dir << " (deploy/local/install.sh installs it)"; \
      }                                                                                        \
      GTEST_SKIP() << "no model in " << dir << ": run deploy/local/install.sh";               \
    }                                                                                          \
  } while (false)

// One JSON object per line of a fixture.
inline std::vector<nlohmann::json> ReadFixture(const std::string& name) {
  const auto path =
      std::string(TRIBUTARY_SOURCE_DIR) + "/services/embedder/local/tests/fixtures/" + name;
  std::ifstream file(path);
  EXPECT_TRUE(file.good()) << "missing fixture " << path;
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(file, line);) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

}  // namespace tributary::embedder::local::testing
