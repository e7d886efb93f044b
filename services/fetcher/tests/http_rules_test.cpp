// Target parsing and redirect resolution.
#include <gtest/gtest.h>

#include "services/fetcher/http_rules.hpp"

namespace tributary::fetcher {
namespace {

using namespace std::chrono_literals;

TEST(ParseTarget, HttpAndHttps) {
  auto t = ParseTarget("https://Example.COM/feed.xml?a=1#frag");
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->tls);
  EXPECT_EQ(t->host, "example.com");
  EXPECT_EQ(t->port, 443);
  EXPECT_EQ(t->target, "/feed.xml?a=1");
  EXPECT_EQ(t->url, "https://example.com/feed.xml?a=1");
  EXPECT_EQ(t->HostHeader(), "example.com");
  EXPECT_EQ(t->Origin(), "https://example.com:443");

  t = ParseTarget("http://example.com:8080");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->target, "/");
  EXPECT_EQ(t->HostHeader(), "example.com:8080");

  t = ParseTarget("http://[::1]:81/x");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->HostHeader(), "[::1]:81");
}

TEST(ParseTarget, CredentialsAreNeverKept) {
  auto t = ParseTarget("https://user:secret@example.com/private");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->url.find("secret"), std::string::npos);
  EXPECT_EQ(t->url, "https://example.com/private");
}

TEST(ParseTarget, PercentEncodedHostIsDecodedForTheGuard) {
  auto t = ParseTarget("http://%31%32%37.0.0.1/");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->host, "127.0.0.1");
}

TEST(ParseTarget, RefusesOtherSchemesAndJunk) {
  for (const char* url : {"file:///etc/passwd", "gopher://example.com/", "ftp://example.com/",
                          "javascript:alert(1)", "dict://127.0.0.1:11211/"}) {
    auto t = ParseTarget(url);
    ASSERT_FALSE(t.has_value()) << url;
    EXPECT_EQ(t.error().error_class, "scheme") << url;
  }
  for (const char* url : {"not a url", "/relative/path", "http://", "http://:80/",
                          "http://example.com:99999/"}) {
    auto t = ParseTarget(url);
    ASSERT_FALSE(t.has_value()) << url;
    EXPECT_EQ(t.error().error_class, "url") << url;
  }
}

TEST(Redirects, StatusesAndResolution) {
  for (unsigned s : {301U, 302U, 303U, 307U, 308U}) EXPECT_TRUE(IsRedirect(s)) << s;
  for (unsigned s : {200U, 300U, 304U, 305U, 404U}) EXPECT_FALSE(IsRedirect(s)) << s;
  EXPECT_EQ(*ResolveRedirect("http://a.com/b/c", "d"), "http://a.com/b/d");
  EXPECT_EQ(*ResolveRedirect("http://a.com/b/c", "/x?y=1#frag"), "http://a.com/x?y=1");
  EXPECT_EQ(*ResolveRedirect("http://a.com/b/c", "//b.org/z"), "http://b.org/z");
  EXPECT_EQ(*ResolveRedirect("http://a.com/b/c", "https://c.net/"), "https://c.net/");
  EXPECT_EQ(*ResolveRedirect("http://a.com/b/c", "  /spaced  "), "http://a.com/spaced");
  EXPECT_FALSE(ResolveRedirect("http://a.com/", "").has_value());
  EXPECT_FALSE(ResolveRedirect("http://a.com/", "http://exa mple.com/").has_value());
}

}  // namespace
}  // namespace tributary::fetcher
