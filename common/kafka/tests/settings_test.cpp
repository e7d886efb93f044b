#include "common/kafka/settings.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tributary::kafka {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ParseError(const config::Source& source) {
  Settings settings;
  config::Spec spec("tributary-test", "A test program.");
  AddSettings(spec, &settings);
  try {
    spec.Parse(source);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(KafkaSettings, TopicNamesCarryThePrefixUnlessChosenWhole) {
  Settings settings;
  settings.topic_prefix = "staging";
  EXPECT_EQ(settings.Topic("items"), "staging.items");
  EXPECT_EQ(settings.TopicOr("", "items"), "staging.items");
  EXPECT_EQ(settings.TopicOr("my-items", "items"), "my-items");
  settings.topic_prefix.clear();
  EXPECT_EQ(settings.TopicOr("", "items"), "items");
}

TEST(KafkaSettings, KnownPropertiesPassFromFlagsAndVariables) {
  EXPECT_EQ(ParseError({.env = {{"TRIBUTARY_KAFKA__SASL_PASSWORD", "s3cr3t"},
                                {"TRIBUTARY_KAFKA__SECURITY_PROTOCOL", "SASL_SSL"}},
                        .args = {"--kafka", "linger.ms=20", "--kafka", "compression.type=zstd"}}),
            "");
}

TEST(KafkaSettings, AMisspelledOrInvalidPropertyIsABadSettingWithoutItsValue) {
  const auto error =
      ParseError({.env = {{"TRIBUTARY_KAFKA__SASL_PASWORD", "s3cr3t"}},
                  .args = {"--kafka", "security.protocol=carrier-pigeon", "--check-config"}});
  EXPECT_THAT(error, HasSubstr("--kafka sasl.pasword=<hidden> (TRIBUTARY_KAFKA__SASL_PASWORD)"));
  EXPECT_THAT(error, HasSubstr("No such configuration property"));
  EXPECT_THAT(error, HasSubstr("--kafka security.protocol=<hidden>"));
  EXPECT_THAT(error, Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(error, Not(HasSubstr("carrier-pigeon")));
}

}  // namespace
}  // namespace tributary::kafka
