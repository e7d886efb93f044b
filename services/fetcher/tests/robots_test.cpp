// robots.txt parsing and matching per RFC 9309.
#include <gtest/gtest.h>

#include "services/fetcher/robots.hpp"

namespace tributary::fetcher {
namespace {

TEST(Robots, GroupForOurTokenWinsOverStar) {
  const auto rules = ParseRobots(
      "User-agent: *\n"
      "Disallow: /\n"
      "\n"
      "User-agent: Tributary\n"
      "User-agent: otherbot\n"
      "Disallow: /private\n"
      "Allow: /private/open\n",
      "tributary");
  EXPECT_TRUE(rules.Allows("/feed.xml"));
  EXPECT_FALSE(rules.Allows("/private/x"));
  EXPECT_TRUE(rules.Allows("/private/open/y"));
}

TEST(Robots, CrawlDelayOfTheGroupThatApplies) {
  EXPECT_EQ(ParseRobots("User-agent: *\nCrawl-delay: 10\nDisallow: /tmp\n", "tributary")
                .crawl_delay_seconds,
            10.0);
  const auto ours = ParseRobots(
      "User-agent: *\nCrawl-delay: 60\n\nUser-agent: tributary\ncrawl-delay: 2.5\n"
      "Disallow: /x\n",
      "tributary");
  EXPECT_EQ(ours.crawl_delay_seconds, 2.5) << "our group's, not the star group's";
  EXPECT_FALSE(ours.Allows("/x/y"));
  for (const char* bad : {"Crawl-delay: soon\n", "Crawl-delay: -1\n", "Crawl-delay: 0\n",
                          "Crawl-delay: inf\n"}) {
    EXPECT_FALSE(ParseRobots(std::string("User-agent: *\n") + bad, "tributary")
                     .crawl_delay_seconds.has_value())
        << bad;
  }
  EXPECT_FALSE(ParseRobots("Crawl-delay: 5\nUser-agent: *\nDisallow: /a\n", "tributary")
                   .crawl_delay_seconds.has_value())
      << "a line before any group belongs to none";
}

TEST(Robots, StarGroupsWhenNoneNamesUs) {
  const auto rules = ParseRobots(
      "user-agent: googlebot\ndisallow: /\n\nuser-agent: *\ndisallow: /tmp\n", "tributary");
  EXPECT_TRUE(rules.Allows("/"));
  EXPECT_FALSE(rules.Allows("/tmp/file"));
}

TEST(Robots, GroupsForUsAreCombined) {
  const auto rules = ParseRobots(
      "User-agent: tributary\nDisallow: /a\n\nUser-agent: tributary\nDisallow: /b\n",
      "tributary");
  EXPECT_FALSE(rules.Allows("/a"));
  EXPECT_FALSE(rules.Allows("/b"));
  EXPECT_TRUE(rules.Allows("/c"));
}

TEST(Robots, LongestMatchWinsAndAllowWinsTies) {
  const auto rules = ParseRobots(
      "User-agent: *\nDisallow: /page\nAllow: /page.html\nAllow: /x\nDisallow: /x\n",
      "tributary");
  EXPECT_FALSE(rules.Allows("/page2"));
  EXPECT_TRUE(rules.Allows("/page.html"));
  EXPECT_TRUE(rules.Allows("/x/y"));  // same length: allow wins
}

TEST(Robots, WildcardsAndEndAnchor) {
  const auto rules = ParseRobots(
      "User-agent: *\nDisallow: /*.gif$\nDisallow: /search*q=\nAllow: /$\nDisallow: /\n",
      "tributary");
  EXPECT_FALSE(rules.Allows("/images/a.gif"));
  EXPECT_FALSE(rules.Allows("/search?x=1&q=2"));
  EXPECT_TRUE(rules.Allows("/"));
  EXPECT_FALSE(rules.Allows("/anything"));
  EXPECT_TRUE(RobotsPatternMatches("/*.gif$", "/a.gif"));
  EXPECT_FALSE(RobotsPatternMatches("/*.gif$", "/a.gif?x"));
  EXPECT_TRUE(RobotsPatternMatches("/a*b*c", "/axxbyyc/zz"));
  EXPECT_FALSE(RobotsPatternMatches("/a*b*c", "/axxbyy"));
  EXPECT_TRUE(RobotsPatternMatches("*", ""));
  // A pathological pattern finishes (iterative matcher, no exponential recursion).
  EXPECT_FALSE(RobotsPatternMatches("/*a*a*a*a*a*a*a*a*a*a*b$", "/" + std::string(5000, 'a')));
}

TEST(Robots, CommentsEmptyDisallowAndJunk) {
  const auto rules = ParseRobots(
      "# hello\nDisallow: /before-any-group\nUser-agent: * # all\nDisallow:\n"
      "Crawl-delay: 10\nSitemap: https://x/s.xml\nthis line is junk\n",
      "tributary");
  EXPECT_TRUE(rules.Allows("/before-any-group"));
  EXPECT_TRUE(rules.Allows("/anything"));
}

TEST(Robots, FailureModes) {
  EXPECT_TRUE(RobotsRules::AllowAll().Allows("/x"));   // 4xx
  EXPECT_FALSE(RobotsRules::DisallowAll().Allows("/x"));  // 5xx or unreachable
  EXPECT_TRUE(RobotsRules::DisallowAll().Allows("/robots.txt"));
  EXPECT_EQ(ProductToken("tributary-fetcher/0.1 (+https://x)"), "tributary-fetcher");
}

TEST(Robots, CrLfAndCaseInsensitiveKeys) {
  const auto rules = ParseRobots("USER-AGENT: TRIBUTARY\r\nDISALLOW: /Private\r\n", "tributary");
  EXPECT_FALSE(rules.Allows("/Private"));
  EXPECT_TRUE(rules.Allows("/private"));  // paths are case-sensitive
}

}  // namespace
}  // namespace tributary::fetcher
