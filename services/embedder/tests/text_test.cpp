#include "services/embedder/text.hpp"

#include <gtest/gtest.h>

#include "tributary/v1/item.pb.h"

namespace tributary::embedder {
namespace {

// True when `s` is well-formed UTF-8 (no cut sequence anywhere).
bool ValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0U) != 0x80U) return false;
    }
    i += n;
  }
  return true;
}

TEST(NormalizeWhitespace, CollapsesAsciiAndUnicodeSpacesAndTrims) {
  EXPECT_EQ(NormalizeWhitespace("  a\t\tb\r\n c  "), "a b c");
  EXPECT_EQ(NormalizeWhitespace("a\xC2\xA0" "b\xE2\x80\x83" "c\xE3\x80\x80" "d"), "a b c d");
  EXPECT_EQ(NormalizeWhitespace("\xE2\x80\xA8"), "");
  EXPECT_EQ(NormalizeWhitespace("caf\xC3\xA9  \xE6\x97\xA5\xE6\x9C\xAC"), "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC");
}

TEST(EstimateTokens, CountsFourAsciiBytesOrOneCodePointPerToken) {
  EXPECT_EQ(EstimateTokens(""), 0U);
  EXPECT_EQ(EstimateTokens("abcd"), 1U);
  EXPECT_EQ(EstimateTokens("abcde"), 2U);
  EXPECT_EQ(EstimateTokens("\xE6\x97\xA5\xE6\x9C\xAC"), 2U);  // two CJK characters
}

TEST(TruncateUtf8, NeverSplitsASequenceAtTheByteLimit) {
  const std::string text = "ab\xE6\x97\xA5\xE6\x9C\xAC" "cd\xF0\x9F\x98\x80" "e";
  for (std::size_t max = 0; max <= text.size() + 1; ++max) {
    const auto cut = TruncateUtf8(text, {.max_tokens = 1000, .max_bytes = max});
    EXPECT_LE(cut.size(), max);
    EXPECT_TRUE(ValidUtf8(cut)) << "max_bytes " << max;
    EXPECT_TRUE(text.starts_with(cut));
  }
  EXPECT_EQ(TruncateUtf8(text, {.max_tokens = 1000, .max_bytes = 4}), "ab");
  EXPECT_EQ(TruncateUtf8(text, {.max_tokens = 1000, .max_bytes = 5}), "ab\xE6\x97\xA5");
}

TEST(TruncateUtf8, StopsAtTheTokenLimit) {
  const std::string ascii(100, 'x');
  EXPECT_EQ(TruncateUtf8(ascii, {.max_tokens = 10, .max_bytes = 1000}).size(), 40U);
  const std::string cjk = "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E";  // 3 code points
  EXPECT_EQ(TruncateUtf8(cjk, {.max_tokens = 2, .max_bytes = 1000}), "\xE6\x97\xA5\xE6\x9C\xAC");
  EXPECT_EQ(TruncateUtf8(ascii, {.max_tokens = 0, .max_bytes = 1000}), "");
}

TEST(PrepareText, JoinsTitleSummaryAndContentNormalized) {
  v1::Item item;
  item.set_title("  Hello\n World ");
  item.set_summary("A  summary.");
  item.set_content_text("The\tbody.");
  const auto prepared = PrepareText(item, {});
  EXPECT_EQ(prepared.text, "Hello World\n\nA summary.\n\nThe body.");
  EXPECT_FALSE(prepared.truncated);
  EXPECT_EQ(prepared.tokens, EstimateTokens(prepared.text));
}

TEST(PrepareText, LeavesOutASummaryTheContentRepeats) {
  v1::Item item;
  item.set_title("T");
  item.set_summary("First paragraph.");
  item.set_content_text("First  paragraph. Second paragraph.");
  EXPECT_EQ(PrepareText(item, {}).text, "T\n\nFirst paragraph. Second paragraph.");
}

TEST(PrepareText, FallsBackToTheUrlWhenThereIsNoText) {
  v1::Item item;
  item.set_url("https://example.com/a");
  item.set_external_id("id-1");
  EXPECT_EQ(PrepareText(item, {}).text, "https://example.com/a");
  item.clear_url();
  EXPECT_EQ(PrepareText(item, {}).text, "id-1");
}

TEST(PrepareText, TruncatesToTheLimitOnACodePointBoundary) {
  v1::Item item;
  item.set_title("\xC3\xA9t\xC3\xA9");              // "été"
  item.set_content_text(std::string(50, 'a') + "\xE2\x82\xAC\xE2\x82\xAC");  // a…a€€
  const auto prepared = PrepareText(item, {.max_tokens = 1000, .max_bytes = 60});
  EXPECT_TRUE(prepared.truncated);
  EXPECT_LE(prepared.text.size(), 60U);
  EXPECT_TRUE(ValidUtf8(prepared.text));
  EXPECT_TRUE(prepared.text.starts_with("\xC3\xA9t\xC3\xA9\n\naaaa"));
}

}  // namespace
}  // namespace tributary::embedder
