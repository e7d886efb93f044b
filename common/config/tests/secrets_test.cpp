#include "common/config/secrets.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config/spec.hpp"

namespace tributary::config {
namespace {

using ::testing::Contains;
using ::testing::Not;

TEST(Secrets, SecretOptionsAndSecretPropertiesAreRememberedAsTheyAreParsed) {
  std::string api_key;
  std::string dsn;
  std::map<std::string, std::string> kafka;
  Spec spec("tributary-test", "A test program.");
  spec.Secret("api-key", &api_key, "API key.")
      .Secret("pg-dsn", &dsn, "DSN.")
      .KeyValues("kafka", &kafka, "librdkafka property.");
  ASSERT_EQ(spec.Parse({.env = {{"TRIBUTARY_KAFKA__SASL_PASSWORD", "env-sasl-pw"},
                                {"TRIBUTARY_KAFKA__SECURITY_PROTOCOL", "SASL_SSL"}},
                        .args = {"--api-key", "sk-test-configured-1", "--pg-dsn",
                                 "postgresql://loader:p%40ss-word@db:5432/tributary",
                                 "--kafka", "ssl.key.password=flag-key-pw", "--kafka",
                                 "client.id=not-a-secret"}}),
            Spec::Outcome::kRun);
  const auto secrets = RememberedSecrets();
  EXPECT_THAT(secrets, Contains("sk-test-configured-1"));
  EXPECT_THAT(secrets, Contains("p%40ss-word")) << "as written in the URL";
  EXPECT_THAT(secrets, Contains("p@ss-word")) << "and as sent";
  EXPECT_THAT(secrets, Contains("env-sasl-pw"));
  EXPECT_THAT(secrets, Contains("flag-key-pw"));
  EXPECT_THAT(secrets, Not(Contains("SASL_SSL")));
  EXPECT_THAT(secrets, Not(Contains("not-a-secret")));
  EXPECT_THAT(secrets, Not(Contains("postgresql://loader:p%40ss-word@db:5432/tributary")))
      << "a DSN is not secret as a whole";
}

TEST(Secrets, KeywordDsnPasswordsPlainOrQuoted) {
  RememberSecret("host=db password=kw-plain-pw dbname=x");
  RememberSecret("host=db password = 'kw quoted \\' pw' dbname=x");
  RememberSecret("dbname=x");
  const auto secrets = RememberedSecrets();
  EXPECT_THAT(secrets, Contains("kw-plain-pw"));
  EXPECT_THAT(secrets, Contains("kw quoted ' pw"));
  EXPECT_THAT(secrets, Not(Contains("dbname=x")));
}

TEST(Secrets, TooShortValuesAreNotRememberedAndLongerOnesComeFirst) {
  RememberSecret("abc");
  RememberSecret("longer-secret-value-xyz");
  const auto secrets = RememberedSecrets();
  EXPECT_THAT(secrets, Not(Contains("abc")));
  ASSERT_FALSE(secrets.empty());
  for (std::size_t i = 1; i < secrets.size(); ++i) {
    EXPECT_GE(secrets[i - 1].size(), secrets[i].size());
  }
}

TEST(Secrets, SecretKeysAreRecognized) {
  for (const char* key : {"sasl.password", "ssl.key.password", "ssl.keystore.password",
                          "sasl.oauthbearer.client.secret", "ssl.key.pem",
                          "sasl.oauthbearer.config"}) {
    EXPECT_TRUE(IsSecretKey(key)) << key;
  }
  for (const char* key : {"security.protocol", "sasl.mechanism", "client.id", "acks"}) {
    EXPECT_FALSE(IsSecretKey(key)) << key;
  }
}

}  // namespace
}  // namespace tributary::config
