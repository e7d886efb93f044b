#include "services/embedder/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "services/embedder/local/amx_bf16.hpp"
#include "services/embedder/local/tests/model_location.hpp"

namespace tributary::embedder {
namespace {

TEST(EmbedderConfig, DefaultsToTheHashBackendOnItemsAndEmbedded) {
  Config config;
  ASSERT_EQ(Parse({}, &config, nullptr), config::Spec::Outcome::kRun);
  EXPECT_EQ(config.ItemsTopic(), "tributary.items");
  EXPECT_EQ(config.EmbeddedTopic(), "tributary.embedded");
  EXPECT_EQ(config.admin.port, 9403);
  EXPECT_EQ(config.embedding.backend, "hash");
  EXPECT_EQ(config.embedding.model, "tributary-hash");
  EXPECT_EQ(config.embedding.dims, 256);
  EXPECT_EQ(config.embedding.model_version, "v1-d256");
}

TEST(EmbedderConfig, OpenAiNeedsModelAndDimsAndNamesTheFlags) {
  Config config;
  try {
    Parse({.args = {"--backend", "openai"}}, &config, nullptr);
    FAIL() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("--model"), std::string::npos) << what;
    EXPECT_NE(what.find("--dims"), std::string::npos) << what;
  }
}

// bf16 asked for where the CPU cannot do it is a start-up error naming the flag; where it can,
// the settings are fine. Either way `auto` is.
TEST(EmbedderConfig, Bf16PrecisionNeedsACpuWithAmx) {
  TRIBUTARY_REQUIRE_MODEL();
  const std::string model_dir = local::testing::ModelDir();
  for (const std::string precision : {"bf16", "auto"}) {
    Config config;
    std::string error;
    try {
      Parse({.args = {"--backend", "local", "--model-dir", model_dir, "--precision", precision}},
            &config, nullptr);
    } catch (const config::ConfigError& e) {
      error = e.what();
    }
    if (precision == "bf16" && !local::amx::Available()) {
      EXPECT_NE(error.find("--precision (TRIBUTARY_PRECISION): bf16 needs a CPU with AMX"),
                std::string::npos)
          << error;
    } else {
      EXPECT_EQ(error, "") << precision;
      EXPECT_EQ(config.embedding.Precision(),
                precision == "bf16" ? local::Precision::kBf16 : local::Precision::kAuto);
    }
  }
}

TEST(EmbedderConfig, ReadsTheKeyFromAFileAndHeadersFromTheEnvironment) {
  const std::string path = ::testing::TempDir() + "/embedder-key";
  std::ofstream(path) << "sk-test-123\n";
  Config config;
  config::Source source{
      .env = {{"TRIBUTARY_OPENAI_HEADER__X_TITLE", "tributary"}},
      .args = {"--backend=openai", "--model", "text-embedding-3-small", "--dims", "1536",
               "--openai-api-key-file", path, "--openai-url", "http://127.0.0.1:1/v1/embeddings"}};
  ASSERT_EQ(Parse(source, &config, nullptr), config::Spec::Outcome::kRun);
  const auto openai = config.embedding.OpenAi();
  EXPECT_EQ(openai.api_key, "sk-test-123");
  EXPECT_EQ(openai.headers.at("x-title"), "tributary");
  EXPECT_EQ(openai.dims, 1536U);
  std::remove(path.c_str());
}

TEST(EmbedderConfig, HelpDocumentsEverySettingWithoutTheKey) {
  Config config;
  std::string help;
  ASSERT_EQ(Parse({.env = {{"TRIBUTARY_OPENAI_API_KEY", "sk-secret"}}, .args = {"--help"}},
                  &config, &help),
            config::Spec::Outcome::kHelp);
  for (const char* flag : {"--backend", "--model", "--dims", "--openai-url", "--openai-api-key",
                           "--openai-header", "--batch-size", "--batch-tokens", "--concurrency",
                           "--cache-mb", "--max-input-tokens", "--max-input-bytes",
                           "--quota-retry", "--admin-port", "--pg-dsn"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(help.find("sk-secret"), std::string::npos);
  EXPECT_NE(help.find("LEXICAL"), std::string::npos);
}

TEST(EmbedderConfig, TheLruIsSizedInMemoryWhateverTheDimensions) {
  for (const int dims : {256, 1536}) {
    Config config;
    ASSERT_EQ(Parse({.args = {"--backend", "openai", "--model", "m", "--dims",
                              std::to_string(dims), "--cache-mb", "8"}},
                    &config, nullptr),
              config::Spec::Outcome::kRun);
    const auto entries = config.LruEntries();
    const auto vector_bytes = static_cast<std::size_t>(dims) * sizeof(float);
    EXPECT_LE(entries * vector_bytes, 8U << 20) << dims;
    EXPECT_GT(entries * vector_bytes, 6U << 20) << dims << ": most of the budget holds vectors";
  }
  Config off;
  ASSERT_EQ(Parse({.args = {"--cache-mb", "0"}}, &off, nullptr), config::Spec::Outcome::kRun);
  EXPECT_EQ(off.LruEntries(), 0U);
}

TEST(EmbedderConfig, BatchTokensMustFitOneInput) {
  Config config;
  EXPECT_THROW(Parse({.args = {"--batch-tokens", "100", "--max-input-tokens", "200"}}, &config,
                     nullptr),
               config::ConfigError);
}

}  // namespace
}  // namespace tributary::embedder
