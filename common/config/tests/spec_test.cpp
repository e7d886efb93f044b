#include "common/config/spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tributary::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Settings {
  std::string brokers = "127.0.0.1:9092";
  int port = 8080;
  bool json = true;
  std::chrono::milliseconds linger{5};
  std::string format = "json";
  std::string password;
  std::vector<std::string> topics{"a"};
  std::map<std::string, std::string> kafka;
};

Spec MakeSpec(Settings& s) {
  Spec spec("tributary-test", "A test program.");
  spec.String("kafka-brokers", &s.brokers, "Bootstrap servers.")
      .Int("admin-port", &s.port, 0, 65535, "Admin port.")
      .Bool("log-json", &s.json, "JSON logs.")
      .Duration("linger", &s.linger, "Linger.")
      .Choice("log-format", &s.format, {"json", "text"}, "Log format.")
      .Secret("api-key", &s.password, "API key.")
      .List("topics", &s.topics, "Topics.")
      .KeyValues("kafka", &s.kafka, "librdkafka property.");
  return spec;
}

TEST(ConfigSpec, DefaultsStandWhenNothingIsGiven) {
  Settings s;
  auto spec = MakeSpec(s);
  EXPECT_EQ(spec.Parse({}), Spec::Outcome::kRun);
  EXPECT_EQ(s.port, 8080);
  EXPECT_EQ(s.brokers, "127.0.0.1:9092");
}

TEST(ConfigSpec, FlagBeatsEnvironmentAndEnvironmentBeatsDefault) {
  Settings s;
  auto spec = MakeSpec(s);
  Source source{.env = {{"TRIBUTARY_ADMIN_PORT", "9000"}, {"TRIBUTARY_KAFKA_BROKERS", "env:1"}},
                .args = {"--kafka-brokers=flag:1", "--linger", "2s", "--log-json=false",
                         "--topics", "x,y"}};
  spec.Parse(source);
  EXPECT_EQ(s.port, 9000);
  EXPECT_EQ(s.brokers, "flag:1");
  EXPECT_EQ(s.linger, std::chrono::milliseconds(2000));
  EXPECT_FALSE(s.json);
  EXPECT_EQ(s.topics, (std::vector<std::string>{"x", "y"}));
}

TEST(ConfigSpec, KafkaPropertiesPassThroughFromFlagsAndEnvironment) {
  Settings s;
  auto spec = MakeSpec(s);
  spec.Parse({.env = {{"TRIBUTARY_KAFKA__SASL_PASSWORD", "hunter2"},
                      {"TRIBUTARY_KAFKA__SECURITY_PROTOCOL", "SASL_SSL"}},
              .args = {"--kafka", "linger.ms=7", "--kafka=compression.type=zstd"}});
  EXPECT_EQ(s.kafka.at("sasl.password"), "hunter2");
  EXPECT_EQ(s.kafka.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(s.kafka.at("linger.ms"), "7");
  EXPECT_EQ(s.kafka.at("compression.type"), "zstd");
}

TEST(ConfigSpec, EveryBadValueIsNamedInOneError) {
  Settings s;
  auto spec = MakeSpec(s);
  Source source{.env = {{"TRIBUTARY_ADMIN_PORT", "http"}},
                .args = {"--linger=5", "--log-format=xml", "--nope", "--api-key"}};
  try {
    spec.Parse(source);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("TRIBUTARY_ADMIN_PORT (--admin-port) = 'http': expected an "
                                   "integer in [0, 65535]"));
    EXPECT_THAT(message, HasSubstr("--linger (TRIBUTARY_LINGER) = '5': expected a unit"));
    EXPECT_THAT(message, HasSubstr("--log-format (TRIBUTARY_LOG_FORMAT) = 'xml': expected one of"));
    EXPECT_THAT(message, HasSubstr("unknown flag --nope"));
    EXPECT_THAT(message, HasSubstr("--api-key needs a value"));
  }
}

TEST(ConfigSpec, OutOfRangeIntegersAreRefused) {
  Settings s;
  auto spec = MakeSpec(s);
  EXPECT_THROW(spec.Parse({.args = {"--admin-port=70000"}}), ConfigError);
  EXPECT_EQ(s.port, 8080);
}

TEST(ConfigSpec, SecretsNeverAppearInErrorsOrHelp) {
  Settings s;
  s.password = "default-secret";
  auto spec = MakeSpec(s);
  try {
    spec.Parse({.args = {"--kafka=no-equals-sign-s3cr3t"}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(std::string(e.what()), Not(HasSubstr("s3cr3t")));
    EXPECT_THAT(std::string(e.what()), HasSubstr("<hidden>"));
  }
  EXPECT_THAT(spec.Help(), Not(HasSubstr("default-secret")));
}

TEST(ConfigSpec, HelpListsEverySettingWithItsVariableAndDefault) {
  Settings s;
  auto spec = MakeSpec(s);
  EXPECT_EQ(spec.Parse({.args = {"--help"}}), Spec::Outcome::kHelp);
  const auto help = spec.Help();
  EXPECT_THAT(help, HasSubstr("--admin-port VALUE"));
  EXPECT_THAT(help, HasSubstr("env TRIBUTARY_ADMIN_PORT, default 8080"));
  EXPECT_THAT(help, HasSubstr("env TRIBUTARY_LINGER, default 5ms"));
}

TEST(ConfigSpec, CheckConfigRefusesVariablesThatNothingReads) {
  Settings s;
  auto spec = MakeSpec(s);
  const Source source{.env = {{"TRIBUTARY_ADMIN_PROT", "9000"},
                              {"TRIBUTARY_KAFKA__SASL_PASSWORD", "s3cr3t"},
                              {"HOME", "/root"}},
                      .args = {"--check-config"}};
  try {
    spec.Parse(source);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("TRIBUTARY_ADMIN_PROT is set, but no setting of "
                                   "tributary-test reads it"));
    // Key/value groups read every variable under their prefix; other names are not ours.
    EXPECT_THAT(message, Not(HasSubstr("TRIBUTARY_KAFKA__SASL_PASSWORD")));
    EXPECT_THAT(message, Not(HasSubstr("HOME")));
    EXPECT_THAT(message, Not(HasSubstr("s3cr3t")));
  }
  // A normal start tolerates the same environment: it may be shared by several programs.
  Settings started;
  auto run_spec = MakeSpec(started);
  EXPECT_EQ(run_spec.Parse({.env = source.env}), Spec::Outcome::kRun);
  EXPECT_EQ(started.kafka.at("sasl.password"), "s3cr3t");
}

TEST(ConfigSpec, CheckConfigPassesGoodSettingsAndStillNamesBadValues) {
  Settings s;
  auto spec = MakeSpec(s);
  EXPECT_EQ(spec.Parse({.env = {{"TRIBUTARY_ADMIN_PORT", "9000"}},
                        .args = {"--check-config", "--linger", "2s"}}),
            Spec::Outcome::kCheck);
  EXPECT_EQ(s.port, 9000);
  EXPECT_EQ(s.linger, std::chrono::seconds(2));
  EXPECT_THROW(spec.Parse({.args = {"--check-config", "--linger", "2"}}), ConfigError);
  EXPECT_EQ(EndEarly(Spec::Outcome::kRun, "p", "help"), std::nullopt);
  EXPECT_EQ(EndEarly(Spec::Outcome::kCheck, "p", "help"), 0);
  EXPECT_THAT(spec.Help(), HasSubstr("--check-config"));
}

TEST(ConfigSpec, PositionalWordsAreRefusedUnlessDeclared) {
  Settings s;
  auto spec = MakeSpec(s);
  EXPECT_THROW(spec.Parse({.args = {"stray"}}), ConfigError);
  std::vector<std::string> files;
  Spec with_files("p", "s");
  with_files.Positional("FILE", &files, "Input files.");
  with_files.Parse({.args = {"a.xml", "b.xml"}});
  EXPECT_EQ(files, (std::vector<std::string>{"a.xml", "b.xml"}));
}

TEST(ConfigDuration, ParsesUnitsAndRejectsBareNumbers) {
  EXPECT_EQ(ParseDuration("250ms").count(), 250);
  EXPECT_EQ(ParseDuration("2m").count(), 120000);
  EXPECT_EQ(ParseDuration("1h").count(), 3600000);
  EXPECT_THROW(ParseDuration("10"), std::invalid_argument);
  EXPECT_THROW(ParseDuration("-1s"), std::invalid_argument);
  EXPECT_THROW(ParseDuration("s"), std::invalid_argument);
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(90000)), "90s");
}

}  // namespace
}  // namespace tributary::config
