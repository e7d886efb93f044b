#include "services/parser/text.hpp"

#include <gtest/gtest.h>

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
