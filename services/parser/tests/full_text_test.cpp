// The parser's half of full-text fetching (issue 19): which feed items ask for their page under
// each setting, and how the page fetched for one item version becomes the Item the loader
// merges into that item's row.
#include <gtest/gtest.h>

#include <string>

#include "common/digest/sha256.hpp"
#include "services/parser/full_text.hpp"
#include "services/parser/tests/fixture.hpp"

namespace tributary::parser {
namespace {

using testing::InputFor;

std::string Words(int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += "word" + std::to_string(i) + " ";
  return out;
}

// Three items: a 20-word summary, a 300-word body, and one whose link is not http(s).
std::string Feed() {
  return R"(<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>Short</title><link>https://news.example.com/short</link>
<description>)" + Words(20) + R"(</description></item>
<item><title>Long</title><link>https://news.example.com/long</link>
<description>)" + Words(300) + R"(</description></item>
<item><title>Mail</title><link>mailto:desk@news.example.com</link><guid>m1</guid>
<description>)" + Words(5) + R"(</description></item>
</channel></rss>)";
}

std::vector<bool> Wanted(v1::FullText mode, std::uint32_t min_words = 0) {
  auto input = InputFor(Feed(), "https://news.example.com/feed.xml");
  input.request.mutable_options()->set_full_text(mode);
  input.request.mutable_options()->set_full_text_min_words(min_words);
  const auto doc = Parse(input);
  EXPECT_TRUE(doc) << doc.error().message;
  std::vector<bool> out;
  if (doc) {
    for (const auto& item : doc->items) out.push_back(item.article_wanted());
  }
  return out;
}

TEST(FullText, CountsWordsAsRunsOfNonSpace) {
  EXPECT_EQ(CountWords(""), 0U);
  EXPECT_EQ(CountWords("  one\ttwo\n\nthree  "), 3U);
  EXPECT_EQ(CountWords("caf\xC3\xA9 au lait"), 3U);
  EXPECT_EQ(CountWords("one two three four", 2), 2U) << "counting stops at the limit";
  EXPECT_EQ(CountWords("one two", 2), 2U);
  EXPECT_EQ(CountWords("one", 2), 1U);
}

TEST(FullText, AutoAsksForThePagesOfShortItemsOnly) {
  EXPECT_EQ(Wanted(v1::FULL_TEXT_AUTO), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(Wanted(v1::FULL_TEXT_UNSPECIFIED), (std::vector<bool>{true, false, false}))
      << "unset reads as auto";
}

TEST(FullText, AutoHonoursTheSourcesThreshold) {
  EXPECT_EQ(Wanted(v1::FULL_TEXT_AUTO, 10), (std::vector<bool>{false, false, false}));
  EXPECT_EQ(Wanted(v1::FULL_TEXT_AUTO, 1000), (std::vector<bool>{true, true, false}));
}

TEST(FullText, AlwaysAndNever) {
  EXPECT_EQ(Wanted(v1::FULL_TEXT_ALWAYS), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(Wanted(v1::FULL_TEXT_NEVER), (std::vector<bool>{false, false, false}));
}

TEST(FullText, PagesAndSitemapsAskForNothing) {
  const std::string page = "<html><head><title>P</title></head><body><p>" + Words(10) +
                           "</p></body></html>";
  auto input = InputFor(page, "https://news.example.com/p");
  input.request.mutable_options()->set_full_text(v1::FULL_TEXT_ALWAYS);
  const auto doc = Parse(input);
  ASSERT_TRUE(doc);
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_FALSE(doc->items[0].article_wanted());

  auto sitemap = InputFor(R"(<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://news.example.com/a</loc></url></urlset>)",
                          "https://news.example.com/sitemap.xml");
  sitemap.request.mutable_options()->set_full_text(v1::FULL_TEXT_ALWAYS);
  const auto listed = Parse(sitemap);
  ASSERT_TRUE(listed);
  ASSERT_FALSE(listed->items.empty());
  EXPECT_FALSE(listed->items[0].article_wanted());
}

std::string ArticlePage() {
  std::string body;
  for (int i = 0; i < 4; ++i) {
    body += "<p>Paragraph " + std::to_string(i) +
            " of the story explains, in plain words and with some detail, what happened at the "
            "river crossing, why the engineers chose stone over steel, and how the town voted "
            "to keep the old bridge open.</p>";
  }
  return "<html lang=\"en\"><head><title>River bridge</title></head><body>"
         "<nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav><article>" +
         body + "</article><footer>Copyright</footer></body></html>";
}

ParseInput ArticleInput(std::string body) {
  auto input = InputFor(std::move(body), "https://news.example.com/2026/bridge");
  input.request.set_depth(1);
  input.request.set_request_id("article-req");
  auto* version = input.request.mutable_article_of();
  version->set_external_id("guid-42");
  version->set_content_hash(std::string(32, '\x2a'));
  version->mutable_observed_at()->set_seconds(1'700'000'000);
  version->mutable_observed_at()->set_nanos(5'000);
  version->set_title("Bridge stays open");
  return input;
}

TEST(FullText, TheArticlePageBecomesTheItemVersionsMerge) {
  const auto doc = Parse(ArticleInput(ArticlePage()));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->items.size(), 1U);
  EXPECT_TRUE(doc->children.empty());
  const auto& article = doc->items[0];
  EXPECT_EQ(article.source_id(), 7);
  EXPECT_EQ(article.external_id(), "guid-42") << "the item's key, not the page's";
  EXPECT_EQ(article.observed_at().seconds(), 1'700'000'000) << "the version's, not the fetch's";
  EXPECT_EQ(article.observed_at().nanos(), 5'000);
  EXPECT_EQ(article.request_id(), "article-req");
  EXPECT_EQ(article.title(), "Bridge stays open") << "the item's: its passages start with it";
  EXPECT_NE(article.content_text().find("Paragraph 3 of the story"), std::string::npos);
  EXPECT_EQ(article.content_text().find("Copyright"), std::string::npos);
  EXPECT_EQ(article.content_text().find("World"), std::string::npos);
  EXPECT_EQ(article.content_hash(),
            digest::Sha256Of(std::string(32, '\x2a') + article.content_text()));
  ASSERT_TRUE(article.has_article());
  EXPECT_EQ(article.article().item_content_hash(), std::string(32, '\x2a'));
  EXPECT_EQ(article.article().url(), "https://news.example.com/2026/bridge");
  EXPECT_EQ(article.article().fetched_at().seconds(), 1'750'000'000);
  EXPECT_FALSE(article.article_wanted());
}

TEST(FullText, AnArticleLinkThatIsNotAPageIsAParseError) {
  const auto feed = Parse(ArticleInput(Feed()));
  ASSERT_FALSE(feed);
  EXPECT_NE(feed.error().message.find("not an HTML page"), std::string::npos)
      << feed.error().message;
  const auto empty = Parse(ArticleInput("<html><body><nav>menu</nav></body></html>"));
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("no article text"), std::string::npos)
      << empty.error().message;
}

}  // namespace
}  // namespace tributary::parser
