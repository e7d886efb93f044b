// Hostile and broken input: each ends in a clear error or a clean recovery, in bounded time,
// and never yields invalid UTF-8.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "services/parser/charset.hpp"
#include "services/parser/tests/fixture.hpp"

namespace tributary::parser {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::InputFor;

// Every string field of every item is valid UTF-8 without control characters.
void ExpectCleanUtf8(const ParsedDocument& doc) {
  for (const auto& item : doc.items) {
    for (const auto* field : {&item.title(), &item.summary(), &item.content_text(), &item.url(),
                              &item.external_id(), &item.canonical_url(), &item.language()}) {
      EXPECT_TRUE(IsValidUtf8(*field)) << *field;
      EXPECT_EQ(SanitizeUtf8(*field), *field);
    }
  }
  EXPECT_TRUE(IsValidUtf8(doc.metadata.title));
}

// Far above the milliseconds these take (also under ASan); only an expansion that went
// exponential or quadratic would get near it.
constexpr auto kBudget = std::chrono::seconds(10);

template <typename Fn>
auto Timed(std::chrono::milliseconds budget, Fn&& fn) {
  const auto start = std::chrono::steady_clock::now();
  auto result = fn();
  EXPECT_LT(std::chrono::steady_clock::now() - start, budget);
  return result;
}

TEST(Traps, XxeExternalEntityIsNotLoaded) {
  const std::string body = R"(<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title>
<item><title>leak &xxe; here</title><link>https://x.example/1</link></item></channel></rss>)";
  const auto doc = Parse(InputFor(body));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].title(), "leak here");
  EXPECT_THAT(doc->items[0].title(), ::testing::Not(HasSubstr("root:")));
}

TEST(Traps, ExternalDtdIsNotFetched) {
  const std::string body = R"(<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://127.0.0.1:1/evil.dtd">
<rss version="0.91"><channel><item><title>a &nbsp; b</title><link>https://x.example/</link></item></channel></rss>)";
  const auto doc = Timed(kBudget, [&] { return Parse(InputFor(body)); });
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->items.at(0).title(), "a b");
}

TEST(Traps, BillionLaughsEndsQuicklyWithoutExpansion) {
  std::string body = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    body += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k)
      body += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    body += "\">\n";
  }
  body +=
      "]>\n<rss version=\"2.0\"><channel><item><title>&lol9;</title>"
      "<link>https://x.example/l</link></item></channel></rss>";
  const auto doc = Timed(kBudget, [&] { return Parse(InputFor(body)); });
  // libxml2's amplification check stops the document; what came before is kept.
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_TRUE(doc->items.empty());
  ASSERT_FALSE(doc->warnings.empty());
  EXPECT_THAT(doc->warnings[0], HasSubstr("Detected an entity reference loop"));
}

// One CDATA section per item and the only reference at the very end: the pass that rewrites
// HTML references must not look for the next section or '&' from scratch per section.
TEST(Traps, ManySectionsAndOneLateReferenceStayLinear) {
  std::string body = "<rss version=\"2.0\"><channel>";
  for (int i = 0; i < 50'000; ++i) {
    body += "<item><guid>" + std::to_string(i) + "</guid><description><![CDATA[<p>a & b</p>]]>"
            "</description></item>";
  }
  body += "<item><title>caf&eacute;</title></item></channel></rss>";
  Limits limits;
  limits.max_items = 60'000;
  const auto doc = Timed(kBudget, [&] { return Parse(InputFor(body), limits); });
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 50'001U);
  EXPECT_EQ(doc->items.back().title(), "caf\xC3\xA9");
}

TEST(Traps, QuadraticBlowupStaysBounded) {
  std::string body = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \"" +
                     std::string(50'000, 'a') +
                     "\">]>\n<rss version=\"2.0\"><channel><item><title>";
  for (int i = 0; i < 50'000; ++i) body += "&a;";
  body += "</title><link>https://x.example/q</link></item></channel></rss>";
  const auto doc = Timed(kBudget, [&] { return Parse(InputFor(body)); });
  // A declared entity is expanded one level deep and only until the field's byte budget is
  // spent (xml::Text stops at 1 MiB, the title keeps 2 KiB): the 2.5 GB title never exists.
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].title(), std::string(Limits{}.max_title_bytes, 'a'));
  EXPECT_EQ(doc->items[0].url(), "https://x.example/q");
}

TEST(Traps, HundredThousandDeepXmlNesting) {
  std::string body =
      "<rss version=\"2.0\"><channel><item><title>deep</title><link>https://x.example/d</link>";
  for (int i = 0; i < 100'000; ++i) body += "<x>";
  for (int i = 0; i < 100'000; ++i) body += "</x>";
  body += "</item></channel></rss>";
  const auto doc = Timed(kBudget, [&] { return Parse(InputFor(body)); });
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].title(), "deep");
  ASSERT_FALSE(doc->warnings.empty());
  EXPECT_THAT(doc->warnings[0], HasSubstr("ill-formed XML, recovered"));
}

TEST(Traps, HundredThousandDeepJson) {
  std::string body = "{\"version\":\"https://jsonfeed.org/version/1\",\"items\":[";
  body += std::string(100'000, '[') + std::string(100'000, ']') + "]}";
  const auto doc = Timed(kBudget, [&] { return Parse(InputFor(body)); });
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().message, "JSON nested deeper than 256 levels");
}

TEST(Traps, HundredThousandDeepHtml) {
  std::string body = "<html><head><title>Deep page</title></head><body>";
  for (int i = 0; i < 100'000; ++i) body += "<div>";
  body += "bottom";
  body += "</body></html>";
  const auto doc = Timed(kBudget, [&] { return Parse(InputFor(body, "https://x.example/p")); });
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].title(), "Deep page");
}

TEST(Traps, JsonLdNestedTwoHundredThousandDeepIsIgnored) {
  // Page metadata walks JSON-LD recursively: unbounded, this took the stack (SIGSEGV).
  std::string body = "<html><head><title>Deep JSON-LD</title><script type=\"application/ld+json\">";
  body += std::string(200'000, '[') + std::string(200'000, ']');
  body += "</script></head><body><p>Still a page.</p></body></html>";
  const auto doc = Timed(kBudget, [&] { return Parse(InputFor(body, "https://x.example/p")); });
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].title(), "Deep JSON-LD");
  EXPECT_EQ(doc->items[0].content_text(), "Still a page.");
}

TEST(Traps, InvalidUtf8IsReplacedNotPassedOn) {
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><item>"
      "<title>good \xC3\xA9 bad \xFF\xFE \xED\xA0\x80 end</title><link>https://x.example/u</link>"
      "</item></channel></rss>";
  const auto doc = Parse(InputFor(body));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  ExpectCleanUtf8(*doc);
  // Invalid UTF-8 with a UTF-8 declaration is read as windows-1252, which every byte fits.
  EXPECT_EQ(doc->items[0].title(), "good \u00c3\u00a9 bad \u00ff\u00fe \u00ed \u20ac end");
}

TEST(Traps, NulBytesAreDropped) {
  const std::string body(
      "<rss version=\"2.0\"><channel><item><title>a\0b</title>"
      "<link>https://x.example/n</link></item></channel></rss>",
      100);
  const auto doc = Parse(InputFor(body));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].title(), "ab");
}

TEST(Traps, DeclaredLatin1ButActuallyUtf8) {
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><item>"
      "<title>caf\xC3\xA9 \xE2\x80\x94 na\xC3\xAFve</title><link>https://x.example/e</link>"
      "</item></channel></rss>";
  auto input = InputFor(body);
  input.content_type = "application/rss+xml; charset=iso-8859-1";
  const auto doc = Parse(input);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->items.at(0).title(), "caf\u00e9 \u2014 na\u00efve");
}

TEST(Traps, DeclaredUtf8ButActuallyWindows1252) {
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><item>"
      "<title>\x93quoted\x94 "
      "caf\xE9</title><link>https://x.example/w</link></item></channel></rss>";
  auto input = InputFor(body);
  input.content_type = "text/xml; charset=windows-1252";
  const auto doc = Parse(input);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->items.at(0).title(), "\u201cquoted\u201d caf\u00e9");
}

TEST(Traps, Utf16WithBom) {
  const std::string utf8 =
      "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel>"
      "<item><title>\xE2\x82\xAC sixteen</title><link>https://x.example/s</link>"
      "</item></channel></rss>";
  std::string utf16 = "\xFF\xFE";
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c == 0xE2) {  // the euro sign, U+20AC
      utf16 += "\xAC\x20";
      i += 2;
    } else {
      utf16.push_back(static_cast<char>(c));
      utf16.push_back('\0');
    }
  }
  const auto doc = Parse(InputFor(utf16));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->items.at(0).title(), "\u20ac sixteen");
}

TEST(Traps, TruncatedFeedRecoversTheCompleteItems) {
  const std::string body =
      "<rss version=\"2.0\"><channel><title>cut</title>"
      "<item><title>one</title><link>https://x.example/1</link></item>"
      "<item><title>two</title><link>https://x.example/2</lin";
  const auto doc = Parse(InputFor(body));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_GE(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].title(), "one");
  ASSERT_FALSE(doc->warnings.empty());
  EXPECT_THAT(doc->warnings[0], HasSubstr("ill-formed XML, recovered"));
}

TEST(Traps, ItemLimitCutsWithOneWarning) {
  std::string body = "<rss version=\"2.0\"><channel>";
  for (int i = 0; i < 30; ++i) {
    body += "<item><title>t" + std::to_string(i) + "</title><link>https://x.example/" +
            std::to_string(i) + "</link></item>";
  }
  body += "</channel></rss>";
  Limits limits;
  limits.max_items = 10;
  const auto doc = Parse(InputFor(body), limits);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->items.size(), 10U);
  EXPECT_THAT(doc->warnings, ::testing::ElementsAre("more than 10 items: the rest were cut"));
}

// Items are read as the parse completes each one, and the parse stops at the limit: what comes
// after it is never parsed (here, a broken tail that would otherwise be reported), and the
// channel's own elements after the items are still read.
TEST(Traps, TheParseStopsAtTheItemLimit) {
  std::string body = "<rss version=\"2.0\"><channel><title>Feed</title>";
  for (int i = 0; i < 3; ++i) {
    body += "<item><title>t" + std::to_string(i) + "</title></item>";
  }
  body += "<item><title>broken</titel></item><item><bad</channel></rss>";
  Limits limits;
  limits.max_items = 2;
  const auto doc = Parse(InputFor(body), limits);
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 2U);
  EXPECT_EQ(doc->items[1].title(), "t1");
  EXPECT_EQ(doc->metadata.title, "Feed");
  EXPECT_THAT(doc->warnings, ::testing::ElementsAre("more than 2 items: the rest were cut"))
      << "the broken tail was never parsed";
}

// A feed that names its language after its items: the items read before still get it.
TEST(Traps, ALanguageAfterTheItemsReachesThemToo) {
  const auto doc = Parse(InputFor("<rss version=\"2.0\"><channel><item><title>a</title></item>"
                                  "<language>de</language></channel></rss>"));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].language(), "de");
}

TEST(Traps, SitemapUrlLimitCutsWithOneWarning) {
  std::string body;
  for (int i = 0; i < 60; ++i) body += "https://x.example/" + std::to_string(i) + "\n";
  Limits limits;
  limits.max_sitemap_urls = 50;
  const auto doc = Parse(InputFor(body), limits);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->items.size(), 50U);
  EXPECT_THAT(doc->warnings,
              ::testing::ElementsAre("sitemap lists more than 50 URLs: the rest were cut"));
}

TEST(Traps, HugeFieldIsTruncatedAtACharacterBoundary) {
  std::string title;
  for (int i = 0; i < 3000; ++i) title += "\xC3\xA9";  // 6000 bytes of é
  const auto doc =
      Parse(InputFor("<rss version=\"2.0\"><channel><item><title>" + title +
                     "</title><link>https://x.example/h</link></item></channel></rss>"));
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->items.at(0).title().size(), Limits{}.max_title_bytes);
  ExpectCleanUtf8(*doc);
}

}  // namespace
}  // namespace tributary::parser
