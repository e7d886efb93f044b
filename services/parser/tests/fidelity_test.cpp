// What feedparser keeps from real feeds, we keep (issue 16): one test per class of loss, on
// the fixtures in tests/fixtures/fidelity/ (the differential test compares the same files
// with feedparser field by field; these pin our exact output).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/parser/base64.hpp"
#include "services/parser/people.hpp"
#include "services/parser/tests/fixture.hpp"

namespace tributary::parser {
namespace {

using testing::InputFor;
using testing::ReadFixture;

ParsedDocument ParseFixture(const std::string& name, const std::string& url = {}) {
  auto doc = Parse(InputFor(ReadFixture("fidelity/" + name), url));
  EXPECT_TRUE(doc) << name << ": " << doc.error().message;
  return doc ? *std::move(doc) : ParsedDocument{};
}

TEST(Fidelity, EntriesWithOnlyContentAreSummarizedByIt) {
  const auto doc = ParseFixture("summaries.xml");
  ASSERT_EQ(doc.items.size(), 6U);
  EXPECT_EQ(doc.items[0].summary(), "The whole post, encoded.\nSecond paragraph.");
  EXPECT_EQ(doc.items[0].content_text(), doc.items[0].summary());
  EXPECT_EQ(doc.items[1].content_text(), "Inline XHTML body.");  // the script is not text
  EXPECT_EQ(doc.items[1].summary(), "Inline XHTML body.");
  EXPECT_EQ(doc.items[2].summary(), "Body in the XHTML namespace.");
  EXPECT_EQ(doc.items[3].summary(), "The full item, escaped.");
  EXPECT_EQ(doc.items[4].summary(), "Atom content in an RSS item.");
  EXPECT_EQ(doc.items[5].summary(), "The short summary.");  // a summary of its own wins
  EXPECT_EQ(doc.items[5].content_text(), "The long content.");
}

TEST(Fidelity, SummaryTakenFromContentKeepsTheSummaryLimit) {
  Limits limits;
  limits.max_summary_bytes = 10;
  auto input = InputFor(
      "<rss><channel><item><guid>g</guid><content:encoded>0123456789abcdef</content:encoded>"
      "</item></channel></rss>");
  const auto doc = Parse(input, limits);
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].summary(), "0123456789");
  EXPECT_EQ(doc->items[0].content_text(), "0123456789abcdef");
}

TEST(Fidelity, Atom03TextConstructsInEveryMode) {
  const auto doc = ParseFixture("atom03_modes.xml");
  EXPECT_EQ(doc.metadata.title, "Modes of Atom 0.3");
  EXPECT_EQ(doc.metadata.description, "Base64 tagline");
  ASSERT_EQ(doc.items.size(), 2U);
  EXPECT_EQ(doc.items[0].title(), "Entry title in base64");
  EXPECT_EQ(doc.items[0].summary(), "The summary, base64.");
  EXPECT_EQ(doc.items[0].content_text(),
            "The content, base64-encoded and wrapped at any width, with a second line.");
  EXPECT_EQ(doc.items[1].title(), "Escaped title");
  EXPECT_EQ(doc.items[1].content_text(), "Inline XHTML, script dropped.");
}

TEST(Base64, DecodesWrappedTextAndRefusesOtherCharacters) {
  EXPECT_EQ(DecodeBase64("aGVs\n bG8="), "hello");
  EXPECT_EQ(DecodeBase64("aGVsbG8"), "hello");  // padding is optional
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_FALSE(DecodeBase64("aGVs*bG8="));
  EXPECT_FALSE(DecodeBase64("aGVsbG8=x"));  // nothing after the padding
}

TEST(People, OneLineBylinesInEveryForm) {
  EXPECT_EQ(PersonFromText(" jo@x.com (Jo Doe) "),
            (Person{.name = "Jo Doe", .email = "jo@x.com"}));
  EXPECT_EQ(PersonFromText("Jo Doe (jo@x.com)"), (Person{.name = "Jo Doe", .email = "jo@x.com"}));
  EXPECT_EQ(PersonFromText("Jo Doe <mailto:jo@x.com>"),
            (Person{.name = "Jo Doe", .email = "jo@x.com"}));
  EXPECT_EQ(PersonFromText("<jo@x.com>"), (Person{.email = "jo@x.com"}));
  EXPECT_EQ(PersonFromText("jo@x.com"), (Person{.email = "jo@x.com"}));
  EXPECT_EQ(PersonFromText("Jo Doe"), (Person{.name = "Jo Doe"}));
  EXPECT_EQ(PersonFromText("Jo Doe (editor)"), (Person{.name = "Jo Doe (editor)"}));
  EXPECT_EQ(PersonFromText("Jo @ Home"), (Person{.name = "Jo @ Home"}));
}

TEST(People, ItemsAndFeedsKeepAddressesAndHomepages) {
  const auto doc = ParseFixture("people.xml");
  EXPECT_THAT(doc.metadata.authors, ::testing::ElementsAre(Person{
                                        .name = "Ed Itor", .email = "editor@people-example.com"}));
  ASSERT_EQ(doc.items.size(), 3U);
  const auto& first = doc.items[0];
  ASSERT_EQ(first.author_details_size(), 2);
  EXPECT_EQ(first.authors(0), "Ann Author");
  EXPECT_EQ(first.author_details(0).email(), "ann@people-example.com");
  EXPECT_EQ(first.authors(1), "Bob Writer");
  EXPECT_EQ(first.author_details(1).email(), "bob@people-example.com");
  ASSERT_EQ(doc.items[1].author_details_size(), 1);
  EXPECT_EQ(doc.items[1].author_details(0).name(), "Cy Coder");
  EXPECT_EQ(doc.items[1].author_details(0).email(), "cy@people-example.com");
  EXPECT_EQ(doc.items[1].author_details(0).uri(), "http://people.example/cy");
  ASSERT_EQ(doc.items[2].authors_size(), 1);
  EXPECT_EQ(doc.items[2].authors(0), "dee@people-example.com");  // the address stands in
  EXPECT_EQ(doc.items[2].author_details(0).name(), "");
}

TEST(FeedMetadata, IdCategoriesAndSubtitleFromEveryVocabulary) {
  const auto doc = ParseFixture("people.xml");
  EXPECT_EQ(doc.metadata.id, "urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6");
  EXPECT_EQ(doc.metadata.description, "A show about bylines");
  EXPECT_THAT(doc.metadata.categories,
              ::testing::ElementsAre("Journalism", "Metadata", "Technology", "Podcasting"));
}

TEST(Fidelity, CdfChannelsAndItemsInAnyCase) {
  const auto doc = Parse(testing::InputFor(testing::ReadFixture("fidelity/cdf.xml")));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kCdf);
  EXPECT_EQ(doc->metadata.title, "Channel Definition Format");
  EXPECT_EQ(doc->metadata.description, "Push channels from 1997");
  EXPECT_EQ(doc->metadata.link, "http://cdf.example/");
  EXPECT_EQ(doc->metadata.updated_unix, 1796565600);  // 2026-12-06T14:00:00Z
  ASSERT_EQ(doc->items.size(), 2U);
  EXPECT_EQ(doc->items[0].url(), "http://cdf.example/first.html");
  EXPECT_EQ(doc->items[0].summary(), "The first abstract");
  EXPECT_EQ(doc->items[0].updated_at().seconds(), 1796475600);  // 2026-12-05T13:00:00Z
  EXPECT_EQ(doc->items[1].title(), "Second item");
  EXPECT_EQ(doc->items[1].url(), "http://cdf.example/sub/second.html");
}

TEST(Fidelity, ADoctypeLongerThanAnySniffingWindowIsStillTheFeed) {
  const auto doc =
      Parse(testing::InputFor(testing::ReadFixture("fidelity/long_doctype.xml")));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kRss2);
  ASSERT_EQ(doc->items.size(), 1U);
  // The document's own entity, declared 90 KB earlier, is its text.
  EXPECT_EQ(doc->items[0].title(), "After the subset " + std::string(60, 'x'));
}

TEST(Fidelity, AtomTextConstructsReadAsTheirTypeSays) {
  const auto doc = ParseFixture("atom_text_types.xml");
  EXPECT_EQ(doc.metadata.title, "Text & markup: the <blink> tag");  // type="text": literal
  EXPECT_EQ(doc.metadata.description, "An escaped subtitle");
  ASSERT_EQ(doc.items.size(), 2U);
  EXPECT_EQ(doc.items[0].title(), "History of the <blink> tag");
  EXPECT_EQ(doc.items[0].summary(), "Escaped HTML summary");
  EXPECT_EQ(doc.items[0].content_text(), "<p>A base64 <b>body</b>.</p>");  // octet-stream
  EXPECT_EQ(doc.items[0].url(), "http://types.example/blink");  // the id is its permalink
  EXPECT_EQ(doc.items[1].title(), "Inline XHTML title");
  EXPECT_EQ(doc.items[1].content_text(), "Escaped markup in a div");
  EXPECT_EQ(doc.items[1].url(), "http://types.example/2");
}

TEST(Fidelity, RssItemsBorrowingOtherVocabularies) {
  const auto doc = ParseFixture("rss_mixed_vocabularies.xml");
  EXPECT_EQ(doc.metadata.link, "http://mixed.example/");  // not rel="self"
  EXPECT_EQ(doc.metadata.id, "urn:uuid:8d5261ba-bf62-ac81-946c-9276ea61791c");
  EXPECT_EQ(doc.metadata.updated_unix, 1796551200);  // 2026-12-06T10:00:00Z
  EXPECT_THAT(doc.metadata.authors,
              ::testing::ElementsAre(
                  Person{.name = "Pat Podcaster", .email = "pat@mixed-example.com"}));
  ASSERT_EQ(doc.items.size(), 2U);
  const auto& first = doc.items[0];
  EXPECT_EQ(first.url(), "http://mixed.example/1");
  EXPECT_EQ(first.external_id(), "urn:uuid:3241ace2-ca21-dd12-2341-1412ce31fad2");
  EXPECT_EQ(first.summary(), "First episode");
  EXPECT_EQ(first.updated_at().seconds(), 1796547600);  // 2026-12-06T09:00:00Z
  ASSERT_EQ(first.enclosures_size(), 1);
  EXPECT_EQ(first.enclosures(0).url(), "http://mixed.example/1.mp3");
  EXPECT_EQ(first.enclosures(0).length(), 12345);
  EXPECT_THAT(first.categories(),
              ::testing::ElementsAre("Technology", "Gadgets", "tag one", "tag two"));
  const auto& second = doc.items[1];
  EXPECT_EQ(second.url(), "http://mixed.example/2");
  EXPECT_EQ(second.external_id(), "urn:uuid:5fd0e5c4-0f37-4a4b-9d0b-7f6e0c6c7e2a");
  ASSERT_EQ(second.enclosures_size(), 1);
  EXPECT_EQ(second.enclosures(0).type(), "audio/ogg");
  ASSERT_EQ(second.author_details_size(), 1);
  EXPECT_EQ(second.author_details(0).uri(), "http://mixed.example/sam");
}

TEST(Fidelity, Rss1ItemsAreNamedByRdfAbout) {
  const auto doc = ParseFixture("rss1_about.xml");
  EXPECT_EQ(doc.metadata.id, "http://about.example/feed");
  ASSERT_EQ(doc.items.size(), 1U);
  EXPECT_EQ(doc.items[0].external_id(), "http://about.example/1");
}

TEST(Fidelity, ExtensionVocabulariesFillWhatTheItemLacks) {
  const auto doc = ParseFixture("rss_extensions.xml");
  EXPECT_EQ(doc.metadata.updated_unix, 1796551200);  // dcterms:modified 2026-12-06T10:00:00Z
  EXPECT_THAT(doc.metadata.authors, ::testing::ElementsAre(Person{
                                        .name = "Owen Owner", .email = "owen@ext-example.com"}));
  ASSERT_EQ(doc.items.size(), 2U);
  const auto& video = doc.items[0];
  EXPECT_EQ(video.title(), "Video title");
  EXPECT_EQ(video.summary(), "Plain text with a literal <tag>");
  EXPECT_THAT(video.categories(), ::testing::ElementsAre("cat1"));
  ASSERT_EQ(video.enclosures_size(), 1);
  EXPECT_EQ(video.enclosures(0).url(), "http://ext.example/video.mp4");
  EXPECT_EQ(video.published_at().seconds(), 1796457600);  // 2026-12-05T08:00:00Z
  EXPECT_EQ(video.updated_at().seconds(), 1796461200);    // 2026-12-05T09:00:00Z
  const auto& clash = doc.items[1];
  EXPECT_EQ(clash.summary(), "The item's own description");
  ASSERT_EQ(clash.author_details_size(), 1);
  EXPECT_EQ(clash.authors(0), "Ann Author");
  EXPECT_EQ(clash.author_details(0).email(), "ann@ext-example.com");
}

TEST(Fidelity, RelativeUrisResolveEverywhereAndContentHtmlIsSafe) {
  const auto doc = ParseFixture("relative_uris.xml", "http://feeds.example/feed.xml");
  EXPECT_EQ(doc.metadata.link, "http://base.example/blog/");
  ASSERT_EQ(doc.metadata.authors.size(), 1U);
  EXPECT_EQ(doc.metadata.authors[0].uri, "http://base.example/people/rel");
  ASSERT_EQ(doc.items.size(), 2U);
  const auto& first = doc.items[0];
  EXPECT_EQ(first.url(), "http://base.example/blog/posts/first.html");
  ASSERT_EQ(first.enclosures_size(), 1);
  EXPECT_EQ(first.enclosures(0).url(), "http://base.example/blog/media/first.mp3");
  EXPECT_EQ(first.content_html(),
            "<p>See <a href=\"http://base.example/blog/posts/second.html\">the next post</a> and\n"
            "      <img src=\"http://base.example/img/a.png\" alt=\"a chart\"> and "
            "<a href=\"https://other.example/x\">elsewhere</a>.\n      <a>not a link</a></p>");
  const auto& second = doc.items[1];
  EXPECT_EQ(second.url(), "http://base.example/blog/posts/second.html");
  EXPECT_NE(second.content_html().find("<a href=\"http://cdn.example/math/area.html\">by</a>"),
            std::string::npos)
      << second.content_html();
  EXPECT_NE(second.content_html().find(
                "<math><mi>A</mi><mo>=</mo><mi>\xCF\x80</mi><msup><mi>r</mi><mn>2</mn></msup>"
                "</math>"),
            std::string::npos)
      << second.content_html();
  EXPECT_NE(second.content_html().find("<img src=\"http://cdn.example/figures/circle.svg\""),
            std::string::npos)
      << second.content_html();
}

TEST(Fidelity, LegacyCharsetsKeepTheirTitles) {
  const auto doc = ParseFixture("euc_kr.xml");
  EXPECT_EQ(doc.metadata.title, "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 \xEB\x89\xB4\xEC\x8A\xA4");
  ASSERT_EQ(doc.items.size(), 1U);
  EXPECT_EQ(doc.items[0].title(), "\xEA\xB8\xB0\xEC\x82\xAC \xEC\xA0\x9C\xEB\xAA\xA9");
}

}  // namespace
}  // namespace tributary::parser

namespace tributary::parser {
namespace {

// An entry whose content is only an image is an entry (its HTML keeps the image), with an id
// that tells it from another such entry.
TEST(Fidelity, AnImageOnlyEntryIsKept) {
  const auto doc = Parse(testing::InputFor(
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content type=\"html\">"
      "&lt;img src=\"a.png\" onerror=\"x()\"&gt;</content></entry><entry>"
      "<content type=\"html\">&lt;img src=\"b.png\"&gt;</content></entry></feed>",
      "http://img.example/feed"));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 2U);
  EXPECT_EQ(doc->items[0].content_html(), "<img src=\"http://img.example/a.png\">");
  EXPECT_NE(doc->items[0].external_id(), doc->items[1].external_id());
}

}  // namespace
}  // namespace tributary::parser
