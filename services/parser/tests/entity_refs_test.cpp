// HTML's named references, uppercase hex references and bare ampersands in XML feeds
// (entity_refs.hpp): rewritten before libxml2 reads the document, so no text is dropped.
#include <gtest/gtest.h>

#include "services/parser/entity_refs.hpp"
#include "services/parser/html_entities.hpp"
#include "services/parser/tests/fixture.hpp"
#include "services/parser/text.hpp"

namespace tributary::parser {
namespace {

using testing::InputFor;

std::string Rewritten(std::string_view document) {
  return WithXmlEntityRefs(document).value_or("(unchanged)");
}

TEST(HtmlEntities, KnowsEveryHtml5NameWithItsCase) {
  EXPECT_EQ(HtmlEntity("aacute"), "\xC3\xA1");
  EXPECT_EQ(HtmlEntity("Aacute"), "\xC3\x81");
  EXPECT_EQ(HtmlEntity("nbsp"), "\xC2\xA0");
  EXPECT_EQ(HtmlEntity("mdash"), "\xE2\x80\x94");
  EXPECT_EQ(HtmlEntity("NotEqualTilde"), "\xE2\x89\x82\xCC\xB8");  // two code points
  EXPECT_EQ(HtmlEntity("zwnj"), "\xE2\x80\x8C");                   // the table's last name
  EXPECT_EQ(HtmlEntity("AElig"), "\xC3\x86");                      // and its first
  EXPECT_FALSE(HtmlEntity("doesnotexist"));
  EXPECT_FALSE(HtmlEntity("AACUTE"));
  EXPECT_FALSE(HtmlEntity(""));
}

TEST(XmlEntityRefs, HtmlNamesBecomeCharacterReferences) {
  EXPECT_EQ(Rewritten("<t>caf&eacute; &mdash; &NotEqualTilde;</t>"),
            "<t>caf&#233; &#8212; &#8770;&#824;</t>");
  EXPECT_EQ(Rewritten("<a title=\"&copy; 2026\"/>"), "<a title=\"&#169; 2026\"/>");
}

TEST(XmlEntityRefs, UppercaseHexReferencesBecomeLowercase) {
  EXPECT_EQ(Rewritten("<t>&#X41;&#x42;&#67;</t>"), "<t>&#x41;&#x42;&#67;</t>");
}

TEST(XmlEntityRefs, AmpersandsThatStartNoReferenceAreEscaped) {
  EXPECT_EQ(Rewritten("<link>http://e/?a=1&b=2&c</link>"),
            "<link>http://e/?a=1&amp;b=2&amp;c</link>");
  EXPECT_EQ(Rewritten("<t>R&D &bogus; a & b &#xZZ;</t>"),
            "<t>R&amp;D &amp;bogus; a &amp; b &amp;#xZZ;</t>");
}

TEST(XmlEntityRefs, LeavesWhatXmlAlreadyReadsAlone) {
  EXPECT_FALSE(WithXmlEntityRefs("<t>&lt;b&gt; &amp; &quot;&apos; &#233; &#xE9;</t>"));
  EXPECT_FALSE(WithXmlEntityRefs("<t><![CDATA[&eacute; & R&D]]><!-- &nbsp; & --></t>"));
  EXPECT_EQ(Rewritten("<t><![CDATA[&eacute;]]>&eacute;<!-- & -->&</t>"),
            "<t><![CDATA[&eacute;]]>&#233;<!-- & -->&amp;</t>");
  // Names the document declares itself are its own to define.
  EXPECT_EQ(Rewritten("<!DOCTYPE rss [<!ENTITY eacute \"e\">]><t>&eacute;&ouml;</t>"),
            "<!DOCTYPE rss [<!ENTITY eacute \"e\">]><t>&eacute;&#246;</t>");
}

TEST(XmlEntityRefs, FeedTextKeepsEveryCharacter) {
  const auto doc = Parse(InputFor(
      "<rss version=\"2.0\"><channel><title>testing &aacute; &#X41; entity</title>"
      "<item><title>R&D &amp; caf&eacute;</title><link>http://e.example/?a=1&b=2</link>"
      "<description>&lt;p&gt;na&amp;iuml;ve &amp;hellip;&lt;/p&gt;</description></item>"
      "</channel></rss>"));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->metadata.title, "testing \xC3\xA1 A entity");
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].title(), "R&D & caf\xC3\xA9");
  EXPECT_EQ(doc->items[0].url(), "http://e.example/?a=1&b=2");
  EXPECT_EQ(doc->items[0].summary(), "na\xC3\xAFve \xE2\x80\xA6");
}

TEST(XmlEntityRefs, EscapedHtmlDecodesHtml5Names) {
  EXPECT_EQ(DecodeEntities("&NotEqualTilde; &lang; &apos;"), "\xE2\x89\x82\xCC\xB8 \xE2\x9F\xA8 '");
}

}  // namespace
}  // namespace tributary::parser
