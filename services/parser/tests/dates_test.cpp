#include "services/parser/dates.hpp"

#include <gtest/gtest.h>

namespace tributary::parser {
namespace {

std::int64_t Seconds(std::string_view text) {
  const auto parsed = ParseDate(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? parsed->seconds : -1;
}

constexpr std::int64_t k2004 = 1073000901;  // 2004-01-01T23:48:21Z

TEST(Dates, Rfc822Variants) {
  EXPECT_EQ(Seconds("Thu, 01 Jan 2004 23:48:21 GMT"), k2004);
  EXPECT_EQ(Seconds("Thu, 01 Jan 2004 23:48:21 +0000"), k2004);
  EXPECT_EQ(Seconds("01 Jan 2004 23:48:21 Z"), k2004);
  EXPECT_EQ(Seconds("Thursday, 1 January 2004 23:48:21 UT"), k2004);
  EXPECT_EQ(Seconds("Thu, 01 Jan 2004 18:48:21 EST"), k2004);
  EXPECT_EQ(Seconds("Thu, 01 Jan 2004 19:48:21 -0400"), k2004);
  EXPECT_EQ(Seconds("Fri, 02 Jan 2004 01:48:21 +02:00"), k2004);
  EXPECT_EQ(Seconds("Thu, 01 Jan 04 23:48:21 GMT"), k2004);
  EXPECT_EQ(Seconds("Thu,01 Jan 2004 23:48:21"), k2004);  // no space, no zone: UTC
  EXPECT_EQ(Seconds("Thu, 01 Jan 2004 23:48 GMT"), k2004 - 21);
  EXPECT_EQ(Seconds("Jan 01, 2004 11:48:21 PM"), k2004);
}

TEST(Dates, Iso8601Variants) {
  EXPECT_EQ(Seconds("2004-01-01T23:48:21Z"), k2004);
  EXPECT_EQ(Seconds("2004-01-01T23:48:21+00:00"), k2004);
  EXPECT_EQ(Seconds("2004-01-02T01:48:21+0200"), k2004);
  EXPECT_EQ(Seconds("2004-01-01 23:48:21"), k2004);
  EXPECT_EQ(Seconds("20040101T234821Z"), k2004);
  EXPECT_EQ(Seconds("2004-01-01"), 1072915200);
  EXPECT_EQ(Seconds("2004-01"), 1072915200);
  EXPECT_EQ(Seconds("  2004-01-01T23:48  "), k2004 - 21);
  const auto fraction = ParseDate("2004-01-01T23:48:21.123456Z");
  ASSERT_TRUE(fraction);
  EXPECT_EQ(fraction->nanos, 123'456'000);
}

TEST(Dates, GarbageIsRejected) {
  EXPECT_FALSE(ParseDate(""));
  EXPECT_FALSE(ParseDate("yesterday"));
  EXPECT_FALSE(ParseDate("2004-13-45"));
  EXPECT_FALSE(ParseDate(std::string(500, '1')));
}

TEST(Dates, DaysFromCivil) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
}

}  // namespace
}  // namespace tributary::parser
