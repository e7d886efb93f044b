#include "services/loader/config.hpp"

#include <gtest/gtest.h>

namespace tributary::loader {
namespace {

TEST(LoaderConfig, DefaultsConsumeEmbeddedAndSourceEvents) {
  Config config;
  ASSERT_EQ(Parse({}, &config, nullptr), config::Spec::Outcome::kRun);
  EXPECT_EQ(config.ItemsTopic(), "tributary.embedded");
  EXPECT_EQ(config.EventsTopic(), "tributary.source.events");
  EXPECT_EQ(config.admin.port, 9404);
  EXPECT_EQ(config.batch_size, 1000);
  EXPECT_EQ(config.batch_linger, std::chrono::milliseconds(200));
}

TEST(LoaderConfig, WithoutEmbeddingsItConsumesItems) {
  Config config;
  config::Source source{.env = {{"TRIBUTARY_TOPIC_PREFIX", "p"}},
                        .args = {"--embeddings=false", "--batch-size", "50",
                                 "--batch-linger", "1s"}};
  ASSERT_EQ(Parse(source, &config, nullptr), config::Spec::Outcome::kRun);
  EXPECT_EQ(config.ItemsTopic(), "p.items");
  EXPECT_EQ(config.batch_size, 50);
  EXPECT_EQ(config.batch_linger, std::chrono::seconds(1));
}

TEST(LoaderConfig, ABadValueNamesItsFlag) {
  Config config;
  try {
    Parse({.args = {"--batch-size", "0"}}, &config, nullptr);
    FAIL() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--batch-size"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tributary::loader
