// Settings: defaults, flags, and a bad allow-list failing fast with the flag's name.
#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "services/fetcher/config.hpp"

namespace tributary::fetcher {
namespace {

TEST(Config, DefaultsAndHelp) {
  Config config;
  std::string help;
  ASSERT_EQ(Parse({.env = {}, .args = {"--help"}}, &config, &help), config::Spec::Outcome::kHelp);
  for (const char* flag : {"--allow-cidrs", "--max-body-bytes", "--max-redirects",
                           "--fetch-timeout", "--read-timeout", "--connect-timeout",
                           "--user-agent", "--per-host-rate", "--breaker-failures", "--robots",
                           "--tls-ca-file", "--max-in-flight", "--admin-port", "--dns-threads",
                           "--dns-timeout", "--dns-cache-ttl"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(config.admin.port, 9401);
  EXPECT_EQ(config.RequestsTopic(), "tributary.fetch.requests");
  const auto worker = config.Worker();
  EXPECT_EQ(worker.engine.client.max_body_bytes, 16U * 1024 * 1024);
  EXPECT_EQ(worker.engine.client.max_redirects, 5);
  EXPECT_TRUE(worker.engine.allow.empty());
}

TEST(Config, FlagsAndEnvironment) {
  Config config;
  Parse({.env = {{"TRIBUTARY_MAX_REDIRECTS", "2"}},
         .args = {"--allow-cidrs", "127.0.0.0/8,::1/128", "--topic-prefix", "t",
                  "--fetch-timeout", "5s", "--dns-cache-ttl", "0s"}},
        &config, nullptr);
  const auto worker = config.Worker();
  EXPECT_EQ(worker.engine.client.dns.cache_ttl, std::chrono::milliseconds(0));
  EXPECT_EQ(worker.engine.client.max_redirects, 2);
  EXPECT_EQ(worker.engine.allow.size(), 2U);
  EXPECT_EQ(worker.engine.client.total_timeout, std::chrono::seconds(5));
  EXPECT_EQ(worker.documents_topic, "t.documents");
}

TEST(Config, RatesBelowOnePerSecondHostLimitsAndTheScope) {
  Config config;
  Parse({.env = {{"TRIBUTARY_HOST_LIMIT", "example.com=0.5/s,2"}},
         .args = {"--per-host-rate", "30/min", "--politeness-scope", "domain",
                  "--max-crawl-delay", "10s"}},
        &config, nullptr);
  const auto worker = config.Worker();
  EXPECT_DOUBLE_EQ(worker.engine.gate.rate, 0.5);
  ASSERT_EQ(worker.engine.gate.host_limits.size(), 1U);
  EXPECT_EQ(worker.engine.gate.host_limits[0].concurrency, 2);
  EXPECT_EQ(worker.engine.client.politeness_scope, codec::PolitenessScope::kDomain);
  EXPECT_EQ(worker.engine.max_crawl_delay, std::chrono::seconds(10));
}

TEST(Config, ABadRateOrHostLimitNamesTheSetting) {
  for (const auto& [flag, value, expected] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"--per-host-rate", "fast", "--per-host-rate (TRIBUTARY_PER_HOST_RATE) = 'fast'"},
           {"--host-limit", "example.com=1/s,0",
            "--host-limit (TRIBUTARY_HOST_LIMIT): 'example.com=1/s,0'"}}) {
    Config config;
    try {
      Parse({.env = {}, .args = {flag, value}}, &config, nullptr);
      FAIL() << "expected a ConfigError for " << flag;
    } catch (const config::ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }
}

TEST(Config, BadCidrNamesTheFlag) {
  Config config;
  try {
    // Parse reports it with the other bad settings (and under --check-config).
    Parse({.env = {}, .args = {"--allow-cidrs", "127.0.0.0/99"}}, &config, nullptr);
    FAIL() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--allow-cidrs"), std::string::npos);
  }
}

TEST(Config, AZeroTimeoutNamesTheSetting) {
  Config config;
  try {
    Parse({.env = {{"TRIBUTARY_DNS_TIMEOUT", "0s"}}, .args = {}}, &config, nullptr);
    FAIL() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "TRIBUTARY_DNS_TIMEOUT (--dns-timeout) = '0s': must be at least 1ms"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tributary::fetcher
