#include "common/base/url_credentials.hpp"

#include <gtest/gtest.h>

namespace tributary {
namespace {

TEST(RedactUrlPassword, ReplacesThePasswordAndKeepsEverythingElse) {
  EXPECT_EQ(RedactUrlPassword("http://user:hunter2@example.com/feed.xml?a=1#x"),
            "http://user:***@example.com/feed.xml?a=1#x");
  EXPECT_EQ(RedactUrlPassword("https://u:p@ss@example.com:8443/"),
            "https://u:***@example.com:8443/");
  EXPECT_EQ(RedactUrlPassword("https://u:p%40ss@example.com"), "https://u:***@example.com");
}

TEST(RedactUrlPassword, LeavesUrlsWithoutAPasswordAlone) {
  for (const char* url : {"https://example.com/feed", "https://user@example.com/feed",
                          "https://example.com/a@b:c", "https://example.com/?q=a:b@c",
                          "https://user:@example.com/", "not a url", ""}) {
    EXPECT_EQ(RedactUrlPassword(url), url);
  }
}

}  // namespace
}  // namespace tributary
