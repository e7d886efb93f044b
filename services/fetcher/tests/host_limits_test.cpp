// Per-host limits: the rate grammar, --host-limit entries and which pattern a host falls under.
#include <gtest/gtest.h>

#include "services/fetcher/host_limits.hpp"

namespace tributary::fetcher {
namespace {

TEST(HostLimits, RatesPerSecondMinuteAndHourAndBelowOnePerSecond) {
  EXPECT_DOUBLE_EQ(*ParseRate("2"), 2.0);
  EXPECT_DOUBLE_EQ(*ParseRate("0.2/s"), 0.2);
  EXPECT_DOUBLE_EQ(*ParseRate(" 30 / min "), 0.5);
  EXPECT_DOUBLE_EQ(*ParseRate("120/h"), 120.0 / 3600);
  for (const char* bad : {"", "0", "-1/s", "fast", "2/day", "2/s/s", "nan", "1e9"}) {
    const auto rate = ParseRate(bad);
    ASSERT_FALSE(rate) << bad;
    EXPECT_NE(rate.error().message.find("rate '"), std::string::npos) << rate.error().message;
  }
}

TEST(HostLimits, EntriesParseAndBadOnesAreNamed) {
  const auto rules = ParseHostLimits(" Example.COM=0.5/s,2 ; *.cdn.example.net=20/s;");
  ASSERT_TRUE(rules) << rules.error().message;
  ASSERT_EQ(rules->size(), 2U);
  EXPECT_EQ((*rules)[0].pattern, "example.com");
  EXPECT_DOUBLE_EQ((*rules)[0].rate, 0.5);
  EXPECT_EQ((*rules)[0].concurrency, 2);
  EXPECT_EQ((*rules)[1].pattern, "cdn.example.net");
  EXPECT_FALSE((*rules)[1].concurrency.has_value());
  EXPECT_TRUE(ParseHostLimits("")->empty());
  for (const char* bad : {"example.com", "example.com=", "=1/s", "example.com=1/s,0",
                          "example.com=1/s,x", "https://example.com=1/s", "example.com=slow"}) {
    const auto parsed = ParseHostLimits(bad);
    EXPECT_FALSE(parsed) << bad;
  }
  EXPECT_NE(ParseHostLimits("a.example=1/s;example.com")
                .error()
                .message.find("'example.com': expected PATTERN=RATE[,CONCURRENCY]"),
            std::string::npos);
}

TEST(HostLimits, AHostFallsUnderItsLongestPatternOrTheDefaults) {
  const HostLimits limits({.rate = 2, .concurrency = 4},
                          *ParseHostLimits("example.com=0.5/s,1;news.example.com=5/s"));
  EXPECT_DOUBLE_EQ(limits.For("example.com").rate, 0.5);
  EXPECT_EQ(limits.For("example.com").concurrency, 1);
  EXPECT_DOUBLE_EQ(limits.For("www.example.com").rate, 0.5) << "a host under the pattern";
  EXPECT_DOUBLE_EQ(limits.For("news.example.com").rate, 5) << "the longest pattern wins";
  EXPECT_EQ(limits.For("news.example.com").concurrency, 4) << "unset: the default";
  EXPECT_DOUBLE_EQ(limits.For("a.news.example.com").rate, 5);
  EXPECT_DOUBLE_EQ(limits.For("badexample.com").rate, 2) << "not a label boundary";
  EXPECT_DOUBLE_EQ(limits.For("example.org").rate, 2);
}

}  // namespace
}  // namespace tributary::fetcher
