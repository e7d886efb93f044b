// CDATA sections and entity-laden text are lifted out before libxml2 parses (lifted_text.hpp):
// whatever they hold and wherever they sit, the fields read are the ones libxml2 would give.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/parser/lifted_text.hpp"
#include "services/parser/tests/fixture.hpp"

namespace tributary::parser {
namespace {

using ::testing::HasSubstr;
using testing::InputFor;

std::string Rss(const std::string& items) {
  return "<rss version=\"2.0\"><channel><title>T</title>" + items + "</channel></rss>";
}

TEST(Cdata, SectionsAnywhereInTextReadAsText) {
  const auto doc = Parse(InputFor(Rss(
      "<item><guid><![CDATA[ id-1 ]]></guid><title>one <![CDATA[two]]> three</title>"
      "<description><![CDATA[<p>a &amp; b</p>]]><![CDATA[<p>c]]]]><![CDATA[>d</p>]]>"
      "</description></item>")));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].external_id(), "id-1");
  EXPECT_EQ(doc->items[0].title(), "one two three");
  EXPECT_EQ(doc->items[0].summary(), "a & b\nc]]>d");
}

TEST(Cdata, CommentsAndUnterminatedSectionsAreLeftToLibxml2) {
  const auto doc = Parse(InputFor(Rss(
      "<!-- <![CDATA[ not a section ]]> --><item><title><![CDATA[kept]]></title></item>"
      "<item><title>last</title><description><![CDATA[never closed</description></item>")));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_GE(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].title(), "kept");
}

// A document that already holds the marker character is parsed without lifting: its own
// U+E000 stays what it was.
TEST(Cdata, DocumentHoldingTheMarkerCharacterIsUntouched) {
  const auto doc = Parse(InputFor(Rss(
      "<item><title>\xEE\x80\x80" "0\xEE\x80\x81 private</title>"
      "<description><![CDATA[<b>html</b>]]></description></item>")));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].title(), "\xEE\x80\x80" "0\xEE\x80\x81 private");
  EXPECT_EQ(doc->items[0].summary(), "html");
}

// Atom xhtml content is serialized markup: a section inside it comes back escaped, as libxml2
// would have serialized its text.
TEST(Cdata, XhtmlContentKeepsSectionsAsEscapedText) {
  const auto doc = Parse(InputFor(
      R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>e</id>)"
      R"(<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">)"
      R"(<p>x <![CDATA[1 < 2 & 3]]></p></div></content></entry></feed>)"));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].content_text(), "x 1 < 2 & 3");
}

// Warnings name the line of the problem; lifted multi-line sections keep their line breaks in
// the marker so the count stays right.
TEST(Cdata, WarningsKeepTheirLineNumbers) {
  const auto doc = Parse(InputFor("<rss version=\"2.0\"><channel>\n<item><description><![CDATA[a\n"
                                  "b\nc]]></description>\n<title>t</titel></item>\n"
                                  "</channel></rss>"));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_FALSE(doc->warnings.empty());
  EXPECT_THAT(doc->warnings[0], HasSubstr("(line 5)"));
}

TEST(Cdata, LiftLeavesDoctypeWithInternalSubsetAlone) {
  EXPECT_FALSE(xml::LiftedText::Lift("<!DOCTYPE r [<!ENTITY e \"<![CDATA[x]]>\">]><r/>"));
  EXPECT_FALSE(xml::LiftedText::Lift("<r>no sections</r>"));
  const auto lifted = xml::LiftedText::Lift("<r><![CDATA[a\nb]]></r>");
  ASSERT_TRUE(lifted);
  EXPECT_EQ(lifted->first, "<r>\xEE\x80\x80" "0\n\xEE\x80\x81</r>");
  std::string out;
  lifted->second.AppendExpanded(lifted->first, out, /*escape=*/false);
  EXPECT_EQ(out, "<r>a\nb</r>");
}

TEST(LiftedText, EntityRunsDecodedAsXmlDefinesThem) {
  const auto lifted = xml::LiftedText::Lift(
      "<r a=\"x &amp; y\"><t>1 &lt; 2 &amp;&amp; &quot;&apos;&gt; &#233;&#xE9;\r\nz</t>"
      "<!-- &amp; --><u>&nbsp;</u></r>");
  ASSERT_TRUE(lifted);
  // Attributes, comments and runs with other entities are left as written.
  EXPECT_EQ(lifted->first,
            "<r a=\"x &amp; y\"><t>\xEE\x80\x80"
            "0\n\xEE\x80\x81</t><!-- &amp; --><u>&nbsp;</u></r>");
  std::string out;
  lifted->second.AppendExpanded(lifted->first, out, /*escape=*/false);
  EXPECT_EQ(out,
            "<r a=\"x &amp; y\"><t>1 < 2 && \"'> \u00e9\u00e9\nz</t>"
            "<!-- &amp; --><u>&nbsp;</u></r>");
}

TEST(LiftedText, NothingLiftedWhenLibxml2MustDecide) {
  EXPECT_FALSE(xml::LiftedText::Lift("<r>AT&T</r>"));               // malformed '&'
  EXPECT_FALSE(xml::LiftedText::Lift("<r>&#0; &#xD800;</r>"));      // not XML characters
  EXPECT_FALSE(xml::LiftedText::Lift("<r>&#X41;</r>"));             // XML wants a lower-case x
  EXPECT_FALSE(xml::LiftedText::Lift("<r>a]]>b &amp;</r>"));        // "]]>" is an error in text
  EXPECT_FALSE(xml::LiftedText::Lift("<r>&#xE000;0&#xE001; &amp;<![CDATA[x]]></r>"));
  EXPECT_FALSE(xml::LiftedText::Lift("&amp;<r/>"));                 // not inside an element
}

TEST(Cdata, EscapedHtmlInTextReadAsText) {
  const auto doc = Parse(InputFor(Rss(
      "<item><title>Fish &amp; Chips</title><description>&lt;p&gt;Hot &amp;amp; "
      "fresh&lt;/p&gt;&lt;p&gt;&#8220;Now&#8221;&lt;/p&gt;</description></item>")));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].title(), "Fish & Chips");
  EXPECT_EQ(doc->items[0].summary(), "Hot & fresh\n\u201cNow\u201d");
}

}  // namespace
}  // namespace tributary::parser
