// HTTP dates in their three formats, Retry-After, and cache lifetimes.
#include "common/http/header_values.hpp"

#include <gtest/gtest.h>

namespace tributary::http {
namespace {

using namespace std::chrono_literals;

TEST(HttpDate, ThreeFormats) {
  const auto expected = std::chrono::system_clock::from_time_t(784111777);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), expected);
  EXPECT_FALSE(ParseHttpDate("yesterday").has_value());
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT").has_value());
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT trailing").has_value());
  EXPECT_EQ(FormatHttpDate(expected), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(RetryAfter, SecondsOrDate) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);
  EXPECT_EQ(ParseRetryAfter("120", now), 120s);
  EXPECT_EQ(ParseRetryAfter(" 5 ", now), 5s);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:37 GMT", now), 60s);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:40:37 GMT", now), 0s);  // past: no wait
  EXPECT_FALSE(ParseRetryAfter("-5", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
}

TEST(MaxAge, CacheControlThenExpires) {
  EXPECT_EQ(ParseMaxAge("public, max-age=300", "", ""), 300s);
  EXPECT_EQ(ParseMaxAge("max-age=300, s-maxage=60", "", ""), 60s);
  EXPECT_EQ(ParseMaxAge("no-store", "", ""), 0s);
  EXPECT_EQ(ParseMaxAge("", "Sun, 06 Nov 1994 09:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT"),
            3600s);
  EXPECT_EQ(ParseMaxAge("", "0", ""), 0s);  // an invalid Expires means already expired
  EXPECT_FALSE(ParseMaxAge("", "", "").has_value());
}

}  // namespace
}  // namespace tributary::http
