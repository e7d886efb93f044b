#include "services/parser/urls.hpp"

#include <gtest/gtest.h>

namespace tributary::parser {
namespace {

TEST(Urls, ResolveRelativeReferences) {
  EXPECT_EQ(ResolveUrl("/a/b?c=1", "https://x.example/feed/rss.xml"), "https://x.example/a/b?c=1");
  EXPECT_EQ(ResolveUrl("post.html", "https://x.example/feed/rss.xml"),
            "https://x.example/feed/post.html");
  EXPECT_EQ(ResolveUrl("../up", "https://x.example/a/b/c"), "https://x.example/a/up");
  EXPECT_EQ(ResolveUrl("//cdn.example/x", "https://x.example/"), "https://cdn.example/x");
  EXPECT_EQ(ResolveUrl("  https://abs.example/  ", "https://x.example/"), "https://abs.example/");
  EXPECT_EQ(ResolveUrl("relative", ""), "relative");
  EXPECT_EQ(ResolveUrl("   ", "https://x.example/"), "");
}

TEST(Urls, CanonicalForm) {
  EXPECT_EQ(CanonicalUrl("HTTPS://Example.COM:443/Path?b=2&utm_source=x&a=1#frag"),
            "https://example.com/Path?b=2&a=1");
  EXPECT_EQ(CanonicalUrl("http://example.com:80"), "http://example.com/");
  EXPECT_EQ(CanonicalUrl("http://example.com:8080/x"), "http://example.com:8080/x");
  EXPECT_EQ(CanonicalUrl("https://example.com/x?fbclid=1&gclid=2&utm_campaign=3"),
            "https://example.com/x");
  EXPECT_EQ(CanonicalUrl("https://example.com/x?ref=home&mc_cid=9"),
            "https://example.com/x?ref=home");
  EXPECT_EQ(CanonicalUrl("https://user@Example.com./x"), "https://user@example.com/x");
  EXPECT_EQ(CanonicalUrl("mailto:someone@example.com"), "mailto:someone@example.com");
  EXPECT_EQ(CanonicalUrl("urn:uuid:1"), "urn:uuid:1");
}

}  // namespace
}  // namespace tributary::parser

namespace tributary::parser {
namespace {

TEST(ResolveUrl, ReferencesWithNonAsciiCharactersResolveAsIris) {
  EXPECT_EQ(ResolveUrl("\xC3\x80", "http://any.test/"), "http://any.test/\xC3\x80");
  EXPECT_EQ(ResolveUrl("../caf\xC3\xA9.html?q=\xC3\xA9", "http://e.example/a/b/"),
            "http://e.example/a/caf\xC3\xA9.html?q=\xC3\xA9");
  // A reference with escapes of its own keeps the escaped form (libxml2 unescapes only the
  // unreserved "%41").
  EXPECT_EQ(ResolveUrl("%41\xC3\xA9", "http://e.example/"), "http://e.example/A%C3%A9");
}

}  // namespace
}  // namespace tributary::parser
