#include "services/parser/text.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "services/parser/charset.hpp"

namespace tributary::parser {
namespace {

TEST(Text, HtmlToTextDropsMarkupScriptsAndComments) {
  EXPECT_EQ(HtmlToText("<p>One <b>two</b></p><p>three</p>"), "One two\nthree");
  EXPECT_EQ(HtmlToText("a<script type=\"x\">var a = '<p>';</script>b"), "ab");
  EXPECT_EQ(HtmlToText("a<STYLE>p{}</STYLE>b<!-- gone -->c"), "abc");
  EXPECT_EQ(HtmlToText("x<br/>y<br>z"), "x\ny\nz");
  EXPECT_EQ(HtmlToText("<a href=\"a>b\">link</a>"), "link");
  EXPECT_EQ(HtmlToText("1 < 2 &amp;&amp; 3 > 2"), "1 < 2 && 3 > 2");
  EXPECT_EQ(HtmlToText("  lots \t of\n\n\n space  "), "lots of\nspace");
}

// The scanners look at 16 bytes at a time: a special byte must be found wherever it falls
// relative to those blocks (before, on and after each boundary, and in the tail).
TEST(Text, SpecialBytesFoundAtEveryPosition) {
  for (std::size_t at = 0; at < 40; ++at) {
    const std::string before(at, 'a');
    const std::string after(40 - at, 'b');
    SCOPED_TRACE(at);
    EXPECT_EQ(HtmlToText(before + "<i class=\"x>y\">" + after), before + after);
    EXPECT_EQ(HtmlToText(before + " \n " + after), (before.empty() ? "" : before + "\n") + after);
    EXPECT_EQ(HtmlToText(before + "\xC2\xA0" + after),
              (before.empty() ? "" : before + " ") + after);
    EXPECT_EQ(HtmlToText(before + "&amp;" + after), before + "&" + after);
    EXPECT_EQ(HtmlToText(before + "\v" + after), before + "\v" + after);  // not whitespace here
    EXPECT_EQ(CollapseWhitespace(before + "\t\t" + after),
              (before.empty() ? "" : before + " ") + after);
    EXPECT_TRUE(IsCleanUtf8(before + "\xC3\xA9" + after));
    EXPECT_FALSE(IsCleanUtf8(before + "\x01" + after));
    EXPECT_FALSE(IsCleanUtf8(before + "\xC3" + after));
  }
}

// Runs of words are copied whole, single spaces included: the space must still be dropped or
// changed where collapsing says so, wherever it falls relative to the 16-byte blocks.
TEST(Text, SingleSpacesBetweenWordsAtEveryPosition) {
  for (std::size_t at = 0; at < 40; ++at) {
    const std::string before(at, 'a');
    const std::string after(40 - at, 'b');
    const std::string joined = before.empty() ? after : before + " " + after;
    SCOPED_TRACE(at);
    EXPECT_EQ(HtmlToText(before + " " + after), joined);
    EXPECT_EQ(HtmlToText(before + "  " + after), joined);
    EXPECT_EQ(HtmlToText(before + " \t" + after), joined);
    EXPECT_EQ(HtmlToText(before + " \xC2\xA0" + after), joined);
    EXPECT_EQ(HtmlToText(before + " <p>" + after), before.empty() ? after : before + "\n" + after);
    EXPECT_EQ(HtmlToText(before + " <b>" + after), joined);
    EXPECT_EQ(HtmlToText(before + " &amp;" + after), before.empty() ? "&" + after
                                                                    : before + " &" + after);
    EXPECT_EQ(HtmlToText(before + " "), before);
    EXPECT_EQ(CollapseWhitespace(before + " "), before);
    EXPECT_EQ(CollapseWhitespace(before + " \n" + after),
              before.empty() ? after : before + "\n" + after);
    EXPECT_EQ(EscapeHtml(before + "<&>\"" + after), before + "&lt;&amp;&gt;\"" + after);
    std::string quoted;
    AppendHtmlEscaped(before + "\"<" + after, /*quote=*/true, quoted);
    EXPECT_EQ(quoted, before + "&quot;&lt;" + after);
  }
}

// Whitespace collapsing against the rule written plainly: words (split at whitespace and
// U+00A0) joined by '\n' where the gap held a line break and by ' ' elsewhere.
TEST(Text, CollapsingAgreesWithThePlainRuleOnRandomText) {
  const std::vector<std::string_view> pieces = {"a", "bc", " ", " ", "\t", "\n", "\r",
                                                "\xC2\xA0", "\xC2\xA9", "\x01"};
  std::mt19937 random(7);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const auto length = random() % 60;
    for (std::size_t k = 0; k < length; ++k) text += pieces[random() % pieces.size()];
    std::string expected;
    bool gap = false;
    bool gap_newline = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      const bool nbsp = c == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0';
      if (nbsp || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        gap = true;
        gap_newline = gap_newline || c == '\n';
        if (nbsp) ++i;
        continue;
      }
      if (gap && !expected.empty()) expected += gap_newline ? '\n' : ' ';
      gap = gap_newline = false;
      expected += c;
    }
    SCOPED_TRACE(testing::PrintToString(text));
    EXPECT_EQ(CollapseWhitespace(text), expected);
    EXPECT_EQ(HtmlToText(text), expected);
  }
}

TEST(Text, EntitiesDecoded) {
  EXPECT_EQ(DecodeEntities("&lt;&gt;&amp;&quot;&apos;"), "<>&\"'");
  EXPECT_EQ(DecodeEntities("&eacute;&#233;&#xE9;&#XE9;"), "\u00e9\u00e9\u00e9\u00e9");
  EXPECT_EQ(DecodeEntities("&#146;&#8217;"), "\u2019\u2019");
  EXPECT_EQ(DecodeEntities("&unknown; & &#; &#xZZ;"), "&unknown; & &#; &#xZZ;");
  EXPECT_EQ(DecodeEntities("&#0;&#xD800;&#x110000;"), "\uFFFD\uFFFD\uFFFD");
}

TEST(Text, C1ControlsBecomeWindows1252Punctuation) {
  EXPECT_EQ(FixC1Controls("\xC2\x93hi\xC2\x94 \xC2\xA9"), "\u201chi\u201d \u00a9");
}

}  // namespace
}  // namespace tributary::parser
