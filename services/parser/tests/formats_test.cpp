// One test per format, over fixtures written for these tests, with the exact normalized output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include "services/parser/normalize.hpp"
#include "services/parser/tests/fixture.hpp"

namespace tributary::parser {
namespace {

using ::testing::ElementsAre;
using testing::InputFor;
using testing::Iso;
using testing::ReadFixture;

std::vector<std::string> List(const google::protobuf::RepeatedPtrField<std::string>& field) {
  return {field.begin(), field.end()};
}

TEST(Rss2, ChannelAndItemsNormalized) {
  const auto doc =
      Parse(InputFor(ReadFixture("rss2_basic.xml"), "https://news.example.com/feed.xml"));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kRss2);
  EXPECT_EQ(doc->metadata.title, "River & Stream News");
  EXPECT_EQ(doc->metadata.link, "https://news.example.com/");
  EXPECT_EQ(doc->metadata.description, "Daily notes about rivers");
  EXPECT_EQ(doc->metadata.language, "en-gb");
  EXPECT_EQ(doc->metadata.updated_unix, 1749520800);  // 2025-06-10T02:00:00Z
  EXPECT_THAT(doc->metadata.authors,
              ElementsAre(Person{.name = "Ed Itor", .email = "editor@example.com"}));
  EXPECT_TRUE(doc->warnings.empty());
  ASSERT_EQ(doc->items.size(), 2U);
  const auto& first = doc->items[0];
  EXPECT_EQ(first.source_id(), 7);
  EXPECT_EQ(first.request_id(), "req-1");
  EXPECT_EQ(first.external_id(), "urn:news:1001");
  EXPECT_EQ(first.url(), "https://news.example.com/posts/flood?utm_source=rss&id=7#top");
  EXPECT_EQ(first.canonical_url(), "https://news.example.com/posts/flood?id=7");
  EXPECT_EQ(first.title(), "Flood warning \u2013 Thames");
  EXPECT_EQ(first.summary(), "Water is rising.\nStay safe & dry.");
  EXPECT_EQ(first.content_text(), "Full text: water is rising.\nMore soon.");
  EXPECT_THAT(List(first.authors()), ElementsAre("Ann Author"));
  EXPECT_THAT(List(first.categories()), ElementsAre("weather", "Thames"));
  ASSERT_EQ(first.enclosures_size(), 1);
  EXPECT_EQ(first.enclosures(0).url(), "https://news.example.com/audio/flood.mp3");
  EXPECT_EQ(first.enclosures(0).type(), "audio/mpeg");
  EXPECT_EQ(first.enclosures(0).length(), 12345);
  EXPECT_EQ(first.language(), "en-gb");
  EXPECT_EQ(Iso(first.published_at()), "2025-06-09T22:30:00Z");
  EXPECT_EQ(Iso(first.updated_at()), "2025-06-09T22:30:00Z");  // falls back to published
  EXPECT_EQ(first.observed_at().seconds(), 1'750'000'000);
  EXPECT_EQ(first.content_hash(), ContentHash(first));
  EXPECT_EQ(first.content_hash().size(), 32U);

  const auto& second = doc->items[1];
  EXPECT_EQ(second.external_id(), "https://News.Example.com:443/posts/second/?fbclid=abc");
  EXPECT_EQ(second.canonical_url(), "https://news.example.com/posts/second/");
  EXPECT_EQ(second.summary(), "Plain text summary");
  EXPECT_EQ(second.content_text(), "Plain text summary");
  EXPECT_THAT(List(second.authors()), ElementsAre("Bob B"));
  EXPECT_EQ(Iso(second.published_at()), "2025-06-08T12:05:00Z");  // "Sun, 8 Jun 25 07:05 EST"
}

TEST(Rss2, SameDocumentTwiceGivesIdenticalItems) {
  auto input = InputFor(ReadFixture("rss2_basic.xml"), "https://news.example.com/feed.xml");
  const auto a = Parse(input);
  input.fetched_at += std::chrono::hours(1);
  input.request.set_request_id("req-2");
  const auto b = Parse(input);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->items.size(), b->items.size());
  for (std::size_t i = 0; i < a->items.size(); ++i) {
    EXPECT_EQ(a->items[i].external_id(), b->items[i].external_id());
    EXPECT_EQ(a->items[i].content_hash(), b->items[i].content_hash());
    EXPECT_NE(a->items[i].observed_at().seconds(), b->items[i].observed_at().seconds());
  }
  EXPECT_NE(a->items[0].content_hash(), a->items[1].content_hash());
}

// Podcast feeds often use itunes:/dc: without declaring them; the conventional prefix decides.
TEST(Rss2, UndeclaredConventionalPrefixesAreRead) {
  const auto doc = Parse(InputFor(R"(<rss version="2.0"><channel><title>P</title>
    <item><guid>e1</guid><itunes:summary>Episode notes</itunes:summary>
      <itunes:keywords>rivers, boats</itunes:keywords><dc:creator>Ann</dc:creator>
      <foo:title>not the title</foo:title></item></channel></rss>)"));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].summary(), "Episode notes");
  EXPECT_EQ(doc->items[0].title(), "");
  EXPECT_THAT(List(doc->items[0].categories()), ElementsAre("rivers", "boats"));
  EXPECT_THAT(List(doc->items[0].authors()), ElementsAre("Ann"));
}

TEST(Rss2, LastNonEmptyLinkWinsAndHrefFormCounts) {
  const auto doc = Parse(InputFor(R"(<rss version="2.0"><channel>
    <link>https://a.example/</link><link href="https://b.example/"/>
    <item><title>t</title><link>https://a.example/1</link><link>https://a.example/2</link>
      <link href="https://a.example/3"/><link></link></item>
    <item xmlns:atom="http://www.w3.org/2005/Atom"><title>u</title>
      <atom:link rel="alternate" href="https://a.example/atom"/><link>https://a.example/rss</link>
    </item></channel></rss>)"));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->metadata.link, "https://b.example/");
  ASSERT_EQ(doc->items.size(), 2U);
  EXPECT_EQ(doc->items[0].url(), "https://a.example/3");
  EXPECT_EQ(doc->items[1].url(), "https://a.example/rss");  // the RSS link beats atom:link
}

// An image-only post has no text, title or link, but is still an entry of the feed: kept, with
// an id that tells it from the next image-only post and stays the same on the next fetch.
TEST(Rss2, EntriesWithoutTextFieldsAreKeptWithStableDistinctIds) {
  const std::string feed = R"(<rss version="2.0"><channel>
    <item><description><![CDATA[<img src="https://a.example/1.png">]]></description></item>
    <item><description><![CDATA[<img src="https://a.example/2.png">]]></description></item>
    <item><custom>value</custom></item>
    <item></item></channel></rss>)";
  const auto doc = Parse(InputFor(feed));
  const auto again = Parse(InputFor(feed));
  ASSERT_TRUE(doc && again);
  ASSERT_EQ(doc->items.size(), 3U);  // the element-less <item></item> says nothing: dropped
  EXPECT_EQ(doc->items[0].summary(), "");
  EXPECT_NE(doc->items[0].external_id(), doc->items[1].external_id());
  EXPECT_NE(doc->items[1].external_id(), doc->items[2].external_id());
  EXPECT_EQ(doc->items[0].external_id().rfind("sha256:", 0), 0U);
  for (std::size_t i = 0; i < doc->items.size(); ++i) {
    EXPECT_EQ(doc->items[i].external_id(), again->items[i].external_id());
  }
}

TEST(Rss091, Latin1DeclaredAndCp1252References) {
  const auto doc = Parse(InputFor(ReadFixture("rss091.xml")));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kRss091);
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].title(), "Caf\u00e9 cr\u00e8me");
  EXPECT_EQ(doc->items[0].summary(), "Na\u00efve \u2019quotes\u2019");
  EXPECT_EQ(doc->items[0].external_id(), "http://old.example.net/cafe.html");
}

TEST(Rss1, RdfItemsBesideChannel) {
  const auto doc = Parse(InputFor(ReadFixture("rss1_rdf.xml")));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kRss1Rdf);
  EXPECT_EQ(doc->metadata.language, "fr");
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].title(), "Premi\u00e8re entr\u00e9e");
  EXPECT_EQ(Iso(doc->items[0].published_at()), "2024-02-29T11:00:00Z");
  EXPECT_THAT(List(doc->items[0].categories()), ElementsAre("test"));
  EXPECT_EQ(doc->items[0].language(), "fr");
}

TEST(Atom1, XmlBaseXhtmlContentAndLanguages) {
  const auto doc = Parse(InputFor(ReadFixture("atom1_xml_base.xml"), "https://elsewhere.example/"));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kAtom1);
  EXPECT_EQ(doc->metadata.title, "Blog Example");
  EXPECT_EQ(doc->metadata.link, "https://blog.example.org/");
  EXPECT_EQ(doc->metadata.description, "Thoughts");
  EXPECT_EQ(doc->metadata.language, "en");
  EXPECT_THAT(doc->metadata.authors,
              ElementsAre(Person{.name = "Writer One", .email = "one@example.org"}));
  EXPECT_EQ(doc->metadata.id, "tag:blog.example.org,2025:feed");
  ASSERT_EQ(doc->items.size(), 2U);
  const auto& first = doc->items[0];
  EXPECT_EQ(first.external_id(), "tag:blog.example.org,2025:1");
  EXPECT_EQ(first.url(), "https://blog.example.org/2025/first-post");
  EXPECT_EQ(first.summary(), "Short summary");
  EXPECT_EQ(first.content_text(), "Hello world\nLine two");
  EXPECT_THAT(List(first.categories()), ElementsAre("notes"));
  ASSERT_EQ(first.enclosures_size(), 1);
  EXPECT_EQ(first.enclosures(0).url(), "https://blog.example.org/media/pic.jpg");
  EXPECT_EQ(first.enclosures(0).length(), 2048);
  EXPECT_EQ(first.published_at().seconds(), 1735743600);  // 15:00:00Z
  EXPECT_EQ(first.published_at().nanos(), 250'000'000);
  EXPECT_EQ(Iso(first.updated_at()), "2025-01-02T00:00:00Z");
  EXPECT_EQ(first.language(), "en");
  const auto& second = doc->items[1];
  EXPECT_EQ(second.content_text(), "Inhalt & mehr");
  EXPECT_EQ(second.language(), "de");
  EXPECT_THAT(List(second.authors()), ElementsAre("Writer Two"));
}

TEST(Atom03, LegacyElements) {
  const auto doc = Parse(InputFor(ReadFixture("atom03.xml")));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kAtom03);
  EXPECT_EQ(doc->metadata.description, "Legacy");
  EXPECT_EQ(doc->metadata.updated_unix, 1083827289);
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_EQ(doc->items[0].content_text(), "Escaped HTML");
  EXPECT_EQ(Iso(doc->items[0].published_at()), "2004-05-04T23:02:03Z");
  EXPECT_EQ(Iso(doc->items[0].updated_at()), "2004-05-06T07:08:09Z");
}

TEST(JsonFeed, Version11WithAttachmentsAndLegacyAuthor) {
  const auto doc = Parse(InputFor(ReadFixture("jsonfeed11.json")));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kJsonFeed);
  EXPECT_EQ(doc->metadata.title, "JSON Example");
  EXPECT_THAT(doc->metadata.authors,
              ElementsAre(Person{.name = "Jay Son", .uri = "https://json.example.com/jay"}));
  EXPECT_EQ(doc->metadata.id, "https://json.example.com/feed.json");
  ASSERT_EQ(doc->items.size(), 2U);
  const auto& first = doc->items[0];
  EXPECT_EQ(first.external_id(), "42");
  EXPECT_EQ(first.canonical_url(), "https://json.example.com/42?page=2");
  EXPECT_EQ(first.content_text(), "The answer is 42.");
  EXPECT_EQ(first.summary(), "Short");
  EXPECT_THAT(List(first.categories()), ElementsAre("math", "life"));
  ASSERT_EQ(first.enclosures_size(), 1);
  EXPECT_EQ(first.enclosures(0).length(), 999);
  EXPECT_EQ(Iso(first.published_at()), "2025-03-04T05:06:07Z");
  EXPECT_EQ(doc->items[1].external_id(), "plain");
  EXPECT_EQ(doc->items[1].content_text(), "Only text, no title.");
  EXPECT_THAT(List(doc->items[1].authors()), ElementsAre("Legacy Author"));
}

TEST(Sitemap, UrlsetWithExtensionsAndPageChildren) {
  auto input = InputFor(ReadFixture("sitemap_urlset.xml"), "https://shop.example.com/sitemap.xml");
  auto doc = Parse(input);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_TRUE(doc->children.empty()) << "pages are requested only with fetch_pages";
  EXPECT_EQ(doc->format, Format::kSitemapUrlset);
  ASSERT_EQ(doc->items.size(), 3U);
  EXPECT_EQ(doc->items[0].url(), "https://shop.example.com/");
  EXPECT_EQ(Iso(doc->items[0].updated_at()), "2025-02-01T00:00:00Z");
  EXPECT_EQ(doc->items[1].title(), "Product launch");
  EXPECT_EQ(Iso(doc->items[1].published_at()), "2025-02-03T04:05:06Z");
  EXPECT_EQ(doc->items[1].language(), "en");
  EXPECT_THAT(List(doc->items[1].categories()), ElementsAre("launch", "product"));
  EXPECT_EQ(doc->items[1].enclosures(0).url(), "https://shop.example.com/img/launch.png");
  EXPECT_EQ(doc->items[2].title(), "Demo video");
  EXPECT_EQ(doc->items[2].summary(), "How it works");
  EXPECT_EQ(doc->items[2].enclosures(0).url(), "https://shop.example.com/demo.mp4");

  // With fetch_pages each URL is requested as a page, and the page becomes its item: the
  // listing yields no second version of the same URL.
  input.request.mutable_options()->set_fetch_pages(true);
  doc = Parse(input);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_TRUE(doc->items.empty());
  ASSERT_EQ(doc->children.size(), 3U);
  EXPECT_EQ(doc->children[1].url(), "https://shop.example.com/news/launch");
  EXPECT_EQ(doc->children[1].kind(), v1::SOURCE_KIND_PAGE);
  EXPECT_EQ(doc->children[1].depth(), 1U);
  EXPECT_EQ(doc->children[1].source_id(), 7);
  EXPECT_EQ(doc->children[1].parent_request_id(), "req-1");
  EXPECT_EQ(doc->children[1].request_id().size(), 32U);

  // Too deep for pages: the listed URLs stay items.
  input.request.set_depth(2);
  doc = Parse(input);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_TRUE(doc->children.empty());
  EXPECT_EQ(doc->items.size(), 3U);
}

TEST(Sitemap, IndexChildrenResolvedAndDepthLimited) {
  auto input = InputFor(ReadFixture("sitemap_index.xml"), "https://shop.example.com/sitemap.xml");
  auto doc = Parse(input);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kSitemapIndex);
  EXPECT_TRUE(doc->items.empty());
  ASSERT_EQ(doc->children.size(), 2U);
  EXPECT_EQ(doc->children[0].url(), "https://shop.example.com/sitemap-1.xml");
  EXPECT_EQ(doc->children[1].url(), "https://shop.example.com/sitemap-2.xml.gz");
  EXPECT_EQ(doc->children[1].kind(), v1::SOURCE_KIND_SITEMAP);

  input.request.set_depth(3);
  input.request.mutable_options()->set_max_depth(3);
  doc = Parse(input);
  ASSERT_TRUE(doc);
  EXPECT_TRUE(doc->children.empty());
  ASSERT_EQ(doc->warnings.size(), 1U);
  EXPECT_EQ(doc->warnings[0], "children at depth 4 exceed max depth 3: not requested");
}

TEST(Sitemap, TextListKeepsOnlyHttpUrls) {
  const auto doc = Parse(InputFor(ReadFixture("sitemap.txt")));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kSitemapText);
  ASSERT_EQ(doc->items.size(), 2U);
  EXPECT_EQ(doc->items[0].url(), "https://txt.example.com/a");
  EXPECT_EQ(doc->items[1].url(), "https://txt.example.com/b");
}

std::string GzipOf(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&stream, data.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

TEST(Sitemap, GzipIsInflated) {
  const auto doc = Parse(InputFor(GzipOf(ReadFixture("sitemap_urlset.xml"))));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kSitemapUrlset);
  EXPECT_EQ(doc->items.size(), 3U);
}

TEST(Sitemap, GzipBombIsCutAtTheDecompressedCap) {
  Limits limits;
  limits.max_body_bytes = 1 << 20;
  const std::string huge = "https://bomb.example.com/x\n" + std::string(64 << 20, ' ');
  const auto doc = Parse(InputFor(GzipOf(huge)), limits);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->items.size(), 1U);
  EXPECT_THAT(doc->warnings, ElementsAre("gzip data cut at the size limit or truncated"));
}

TEST(HtmlPage, MetadataOpenGraphCanonicalAndMainText) {
  const auto doc = Parse(InputFor(ReadFixture("page.html"), "https://www.example.com/article"));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kHtmlPage);
  EXPECT_EQ(doc->metadata.title, "Example Site");
  ASSERT_EQ(doc->items.size(), 1U);
  const auto& page = doc->items[0];
  EXPECT_EQ(page.title(), "OG Title");
  EXPECT_EQ(page.summary(), "What the page is about");
  EXPECT_EQ(page.url(), "https://www.example.com/article?utm_medium=x");
  EXPECT_EQ(page.canonical_url(), "https://www.example.com/article");
  EXPECT_EQ(page.content_text(), "Headline\nFirst paragraph with a link.\nSecond & last.");
  EXPECT_EQ(page.language(), "en");
  EXPECT_EQ(Iso(page.published_at()), "2025-04-05T06:07:08Z");
  ASSERT_EQ(page.enclosures_size(), 1);
  EXPECT_EQ(page.enclosures(0).url(), "https://www.example.com/img/og.png");
}

TEST(HtmlPage, AnEmptyPageIsAnErrorThatSaysSo) {
  for (const char* body : {"<html></html>", "<!DOCTYPE html><html>\n  <!-- nothing -->\n</html>"}) {
    const auto doc = Parse(InputFor(body, "https://www.example.com/empty"));
    ASSERT_FALSE(doc) << body;
    EXPECT_EQ(doc.error().message, "empty page: no elements and no text") << body;
  }
  // One word is a page with that word for its text.
  const auto word = Parse(InputFor("<html><body>Hello</body></html>", "https://e.example/w"));
  ASSERT_TRUE(word) << word.error().message;
  ASSERT_EQ(word->items.size(), 1U);
  EXPECT_EQ(word->items[0].content_text(), "Hello");
}

TEST(JsonApi, FieldsThroughPointers) {
  auto input = InputFor(ReadFixture("json_api.json"), "https://api.example.com/v1/posts");
  auto& mapping = *input.request.mutable_options()->mutable_json_mapping();
  mapping["items"] = "/data/posts";
  mapping["id"] = "/uuid";
  mapping["title"] = "/headline";
  mapping["url"] = "/link";
  mapping["content"] = "/body";
  mapping["published"] = "/meta/created";
  mapping["categories"] = "/meta/tags";
  mapping["author"] = "/by";
  const auto doc = Parse(input);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->format, Format::kJsonApi);
  ASSERT_EQ(doc->items.size(), 2U);
  EXPECT_EQ(doc->items[0].external_id(), "p-1");
  EXPECT_EQ(doc->items[0].url(), "https://api.example.com/p/1");
  EXPECT_EQ(doc->items[0].content_text(), "Body one");
  EXPECT_EQ(Iso(doc->items[0].published_at()), "2025-05-06T07:08:09Z");
  EXPECT_THAT(List(doc->items[0].categories()), ElementsAre("a", "b"));
  EXPECT_THAT(List(doc->items[0].authors()), ElementsAre("Api Writer"));
  EXPECT_EQ(doc->items[1].title(), "Second");
}

TEST(JsonApi, WithoutMappingIsAClearError) {
  const auto doc = Parse(InputFor(ReadFixture("json_api.json")));
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().error_class, "parse");
  EXPECT_EQ(doc.error().message,
            "JSON document is not a JSON Feed and the source has no json_mapping");
}

TEST(Detection, ContentWinsOverDeclaredKind) {
  auto input = InputFor(ReadFixture("atom03.xml"));
  input.kind = v1::SOURCE_KIND_RSS;
  input.content_type = "application/rss+xml";
  const auto doc = Parse(input);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->format, Format::kAtom03);
}

TEST(Detection, UnrecognisedDocumentIsAnError) {
  const auto doc = Parse(InputFor("just some words, no feed here"));
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().message, "unrecognised document: not XML, HTML, JSON or a list of URLs");
  const auto empty = Parse(InputFor("   \n"));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "empty document");
  const auto other_xml = Parse(InputFor("<?xml version=\"1.0\"?><config><a/></config>"));
  ASSERT_FALSE(other_xml);
  EXPECT_EQ(other_xml.error().message, "unrecognised XML document (root element <config>)");
}

}  // namespace
}  // namespace tributary::parser
