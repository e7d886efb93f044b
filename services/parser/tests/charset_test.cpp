#include "services/parser/charset.hpp"

#include <gtest/gtest.h>

namespace tributary::parser {
namespace {

TEST(Charset, FromContentType) {
  EXPECT_EQ(CharsetFromContentType("text/xml; Charset=\"ISO-8859-1\""), "iso-8859-1");
  EXPECT_EQ(CharsetFromContentType("application/rss+xml"), "");
}

TEST(Charset, Utf8ValidationRejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_TRUE(IsValidUtf8("plain \xC3\xA9 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
}

TEST(Charset, SanitizeReplacesInvalidAndDropsControls) {
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\uFFFDb");
  EXPECT_EQ(SanitizeUtf8(std::string("a\0b\x01\tc\n", 7)), "ab\tc\n");
}

TEST(Charset, TruncateNeverSplitsASequence) {
  std::string text = "ab\xE2\x82\xAC";
  TruncateUtf8(text, 4);
  EXPECT_EQ(text, "ab");
}

TEST(Charset, DecodeOrderOfBelief) {
  EXPECT_EQ(DecodeToUtf8("\xEF\xBB\xBFhi", "iso-8859-1").text, "hi");      // BOM wins
  EXPECT_EQ(DecodeToUtf8("caf\xC3\xA9", "iso-8859-1").text, "caf\u00e9");  // valid UTF-8 wins
  EXPECT_EQ(DecodeToUtf8("caf\xE9", "").text, "caf\u00e9");                // fallback windows-1252
  const auto koi8 = DecodeToUtf8("<?xml version=\"1.0\" encoding=\"koi8-r\"?>\xF0\xD2\xC9", "");
  EXPECT_EQ(koi8.charset, "koi8-r");
  EXPECT_NE(koi8.text.find("\u041f\u0440\u0438"), std::string::npos);
  EXPECT_EQ(DecodeToUtf8("\x81", "").text, "\u0081");  // undefined in cp1252: latin-1
}

}  // namespace
}  // namespace tributary::parser
