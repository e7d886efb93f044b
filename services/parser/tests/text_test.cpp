#include "services/parser/text.hpp"

#include <gtest/gtest.h>

#include <string>

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
