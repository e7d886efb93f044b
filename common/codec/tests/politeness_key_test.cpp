#include "common/codec/politeness_key.hpp"

#include <gtest/gtest.h>

namespace tributary::codec {
namespace {

TEST(PolitenessKey, IsTheHostWithoutCaseUserinfoPortOrFinalDot) {
  const auto host = PolitenessScope::kHost;
  EXPECT_EQ(PolitenessKey("HTTPS://News.Example.com:8443/a?b#c", host), "news.example.com");
  EXPECT_EQ(PolitenessKey("http://user:pw@news.example.com./feed", host), "news.example.com");
  EXPECT_EQ(PolitenessKey("http://news.example.com", host), "news.example.com");
  EXPECT_EQ(PolitenessKey("http://[2001:db8::1]:8080/x", host), "[2001:db8::1]");
  EXPECT_EQ(PolitenessKey("not a url", host), "");
  // http and https of one host are one host: the same server, the same limits.
  EXPECT_EQ(PolitenessKey("http://a.example.org/x", host),
            PolitenessKey("https://a.example.org:443/y", host));
}

TEST(PolitenessKey, DomainScopeGroupsAHostsSiblingsByThePublicSuffixList) {
  const auto domain = PolitenessScope::kDomain;
  EXPECT_EQ(PolitenessKey("https://a.news.example.com/x", domain), "example.com");
  EXPECT_EQ(PolitenessKey("https://b.example.com/y", domain), "example.com");
  // Multi-label public suffixes: the registrable domain is one label below them.
  EXPECT_EQ(PolitenessKey("https://www.bbc.co.uk/news", domain), "bbc.co.uk");
  EXPECT_EQ(PolitenessKey("https://someone.github.io/blog", domain), "someone.github.io");
  // What has no registrable domain is its own unit.
  EXPECT_EQ(PolitenessKey("http://127.0.0.1:8080/feed", domain), "127.0.0.1");
  EXPECT_EQ(PolitenessKey("http://localhost:8080/feed", domain), "localhost");
  EXPECT_EQ(PolitenessKey("http://co.uk/", domain), "co.uk");
}

TEST(PolitenessKey, EveryRequestOfOneHostHasOneKeyWhateverItsSource) {
  v1::FetchRequest feed;
  feed.set_source_id(1);
  feed.set_url("https://news.example.com/feed.xml");
  v1::FetchRequest page;
  page.set_source_id(2);
  page.set_url("https://NEWS.example.com/2025/story.html");
  EXPECT_EQ(FetchRequestKey(feed, PolitenessScope::kHost), "news.example.com");
  EXPECT_EQ(FetchRequestKey(page, PolitenessScope::kHost), "news.example.com");
  v1::FetchRequest broken;
  broken.set_source_id(7);
  broken.set_url("mailto:someone");
  EXPECT_EQ(FetchRequestKey(broken, PolitenessScope::kHost), "7");
}

TEST(PolitenessKey, ScopesAreNamedHostAndDomain) {
  EXPECT_EQ(ParsePolitenessScope("host"), PolitenessScope::kHost);
  EXPECT_EQ(ParsePolitenessScope("domain"), PolitenessScope::kDomain);
  EXPECT_EQ(ParsePolitenessScope("origin"), std::nullopt);
}

}  // namespace
}  // namespace tributary::codec
