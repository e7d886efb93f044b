// `tributary embed` through the CLI's own entry point, output captured.
#include "services/cli/embed_command.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "services/embedder/local/tests/model_location.hpp"

namespace tributary::cli {
namespace {

// Each printed line as JSON, and the exit code.
std::pair<int, std::vector<nlohmann::json>> Embed(std::vector<std::string> args) {
  ::testing::internal::CaptureStdout();
  const int status = EmbedCommand({.args = std::move(args)});
  std::istringstream out(::testing::internal::GetCapturedStdout());
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(out, line);) lines.push_back(nlohmann::json::parse(line));
  return {status, lines};
}

double Norm(const nlohmann::json& line) {
  double sum = 0;
  for (const auto& v : line["vector"]) sum += v.get<double>() * v.get<double>();
  return std::sqrt(sum);
}

TEST(EmbedCommand, PrintsOneLinePerTextWithTheLocalModel) {
  TRIBUTARY_REQUIRE_MODEL();
  const auto [status, lines] = Embed({"--backend", "local", "--model-dir",
                                      embedder::local::testing::ModelDir(),
                                      "  river   harbor ", "lighthouse keeper"});
  ASSERT_EQ(status, 0);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0]["text"], "river harbor");  // whitespace normalized, as the stage does
  EXPECT_EQ(lines[0]["model"], "all-MiniLM-L6-v2");
  EXPECT_EQ(lines[0]["version"], "53aa51172d142c89");
  EXPECT_EQ(lines[0]["dims"], 384);
  EXPECT_EQ(lines[1]["vector"].size(), 384U);
  EXPECT_NEAR(Norm(lines[1]), 1.0, 1e-5);
  EXPECT_NE(lines[0]["vector"], lines[1]["vector"]);
}

TEST(EmbedCommand, HashNeedsNoModelAndLocalNeedsAFolder) {
  const auto [status, lines] = Embed({"--backend", "hash", "x"});
  ASSERT_EQ(status, 0);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0]["dims"], 256);
  EXPECT_EQ(Embed({"--backend", "local", "x"}).first, 2);
  EXPECT_EQ(Embed({"--backend", "local", "--model-dir", "/nonexistent", "x"}).first, 2);
  EXPECT_EQ(Embed({"--backend", "hash"}).first, 2);  // no text
}

}  // namespace
}  // namespace tributary::cli
