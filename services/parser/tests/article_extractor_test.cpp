// The article extractor on pages written for each kind of boilerplate it must leave out, read
// through the whole page path (Parse -> html_reader -> ExtractArticle -> Normalize).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "services/parser/tests/fixture.hpp"

namespace tributary::parser {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::InputFor;

// A paragraph of article prose, distinct per `n`, long enough to score (~300 characters).
std::string Prose(int n) {
  const auto id = std::to_string(n);
  return "<p>Paragraph " + id +
         " of the story explains, in plain words and with some detail, what happened at the "
         "river crossing, why the engineers chose stone over steel, and how the town voted, "
         "after a long and careful debate, to keep the old bridge open for walkers and "
         "cyclists for another decade " + id + ".</p>\n";
}

std::string Page(const std::string& body, const std::string& title = "River bridge stays open") {
  return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title +
         "</title></head><body>" + body + "</body></html>";
}

v1::Item ExtractOne(const std::string& page) {
  const auto doc = Parse(InputFor(page, "https://news.example.com/2025/bridge"));
  EXPECT_TRUE(doc) << doc.error().message;
  if (!doc || doc->items.empty()) return {};
  EXPECT_EQ(doc->format, Format::kHtmlPage);
  return doc->items[0];
}

TEST(ArticleExtractor, KeepsTheStoryAndLeavesNavigationShareCommentsRelatedAndCookiesOut) {
  std::string story;
  for (int i = 1; i <= 5; ++i) story += Prose(i);
  const auto item = ExtractOne(Page(
      "<div class=\"cookie-consent\">We use cookies to improve your experience. Accept all "
      "cookies?</div>"
      "<div id=\"top\"><ul class=\"menu\"><li><a href=\"/\">Home</a></li><li><a href=\"/world\">"
      "World</a></li><li><a href=\"/sport\">Sport</a></li></ul></div>"
      "<div class=\"page\"><div class=\"story-body\">" + story +
      "<p class=\"share-line\">Share on the bird site, on the book of faces, or Email this "
      "story to a friend</p>"
      "<p class=\"newsletter-popup\">Subscribe to our newsletter for daily updates on the "
      "bridges of the region</p></div>"
      "<div class=\"related-stories\"><h3>More from the region</h3><ul>"
      "<li><a href=\"/a\">Ferry timetable changes for the winter season announced</a></li>"
      "<li><a href=\"/b\">Council budget passes after a late-night session</a></li></ul></div>"
      "<div id=\"comments\"><p>First comment: I walk over this bridge every single morning and "
      "I am so glad, truly glad, that it stays open for us.</p><p>Second comment: stone, "
      "really? Steel would have lasted longer, cost less, and looked better too.</p></div>"
      "</div><div class=\"footer\">Copyright News Example, all rights reserved</div>"));
  const auto& text = item.content_text();
  for (int i = 1; i <= 5; ++i) EXPECT_THAT(text, HasSubstr("Paragraph " + std::to_string(i)));
  for (const char* chrome :
       {"cookies", "Home", "Sport", "Share on", "Email this", "newsletter", "Ferry timetable",
        "Council budget", "First comment", "Second comment", "Copyright"}) {
    EXPECT_THAT(text, Not(HasSubstr(chrome))) << chrome;
  }
}

TEST(ArticleExtractor, WithoutClassHintsTheContainerWithTheMostProseWins) {
  std::string story;
  for (int i = 1; i <= 6; ++i) story += Prose(i);
  const auto item = ExtractOne(Page(
      "<div><h3>Latest</h3><p>Ferry timetable for the winter.</p></div>"
      "<div>" + story + "</div>"
      // (A short sentence beside the article would join it; a linked teaser does not.)
      "<div><p><a href=\"/weather\">Weather turns cold by the weekend, say forecasters.</a>"
      "</p></div>"));
  EXPECT_THAT(item.content_text(), HasSubstr("Paragraph 1"));
  EXPECT_THAT(item.content_text(), HasSubstr("Paragraph 6"));
  EXPECT_THAT(item.content_text(), Not(HasSubstr("Ferry")));
  EXPECT_THAT(item.content_text(), Not(HasSubstr("Weather")));
}

TEST(ArticleExtractor, ParagraphsAndHeadingsStayOnTheirOwnLines) {
  const auto item = ExtractOne(Page("<div class=\"entry-content\"><h2>How it started</h2>" +
                                    Prose(1) + "<h2>What comes next</h2>" + Prose(2) +
                                    "<ul><li>stone arches</li><li>new railings</li></ul>" +
                                    Prose(3) + "</div>"));
  const auto& text = item.content_text();
  EXPECT_THAT(text, StartsWith("How it started\nParagraph 1 of the story"));
  EXPECT_THAT(text, HasSubstr("decade 1.\nWhat comes next\nParagraph 2"));
  EXPECT_THAT(text, HasSubstr("decade 2.\nstone arches\nnew railings\nParagraph 3"));
  // The markup is kept too, sanitized: headings and paragraphs for chunkers and readers.
  EXPECT_THAT(item.content_html(), HasSubstr("<h2>What comes next</h2>"));
  EXPECT_THAT(item.content_html(), HasSubstr("<li>new railings</li>"));
}

TEST(ArticleExtractor, HiddenTextIsNotText) {
  const auto item = ExtractOne(Page(
      "<div class=\"post\">" + Prose(1) +
      "<p style=\"display: none\">Invisible one: a style that hides it.</p>" +
      "<p hidden>Invisible two: the hidden attribute.</p>" + Prose(2) +
      "<div aria-hidden=\"true\">Invisible three: hidden from readers.</div>"
      "<div style=\"visibility:hidden\">Invisible four: visibility.</div>" +
      Prose(3) + "</div>"));
  EXPECT_THAT(item.content_text(), HasSubstr("Paragraph 3"));
  EXPECT_THAT(item.content_text(), Not(HasSubstr("Invisible")));
}

TEST(ArticleExtractor, AnArticleElementThatIsAWidgetDoesNotWin) {
  // The old rule took the first <article>; here it is a contact box in the sidebar.
  std::string story;
  for (int i = 1; i <= 4; ++i) story += Prose(i);
  const auto item = ExtractOne(Page(
      "<div class=\"sidebar\"><article class=\"contact\"><h4>Send a message now</h4>"
      "<a href=\"/contact\">Contact us</a></article></div>"
      "<div class=\"main-column\"><div class=\"text\">" + story + "</div></div>"));
  EXPECT_THAT(item.content_text(), HasSubstr("Paragraph 4"));
  EXPECT_THAT(item.content_text(), Not(HasSubstr("Send a message")));
}

TEST(ArticleExtractor, TheBylineBecomesTheAuthorAndLeavesTheText) {
  const auto item = ExtractOne(Page("<div class=\"article\"><h1>River bridge stays open</h1>"
                                    "<p class=\"byline\">By Ada Stone, river correspondent</p>" +
                                    Prose(1) + Prose(2) + Prose(3) + "</div>"));
  ASSERT_EQ(item.authors_size(), 1);
  EXPECT_EQ(item.authors(0), "By Ada Stone, river correspondent");
  EXPECT_THAT(item.content_text(), Not(HasSubstr("Ada Stone")));
  // The heading that repeats the page's title is the title, not article text.
  EXPECT_THAT(item.content_text(), Not(HasSubstr("River bridge stays open")));
  EXPECT_THAT(item.content_text(), HasSubstr("Paragraph 1"));
}

TEST(ArticleExtractor, LinkListsInsideTheArticleGoAndDataTablesStay) {
  const auto item = ExtractOne(Page(
      "<div class=\"article-body\">" + Prose(1) + Prose(2) +
      "<div><a href=\"/x1\">Read also: the ferry story</a> | <a href=\"/x2\">the budget "
      "story</a> | <a href=\"/x3\">the weather story</a></div>"
      // Linked cells make it link-dense, which would remove a layout table; a data table
      // (header cells) stays whole.
      "<table><tr><th>Year</th><th>Walkers</th></tr>"
      "<tr><td><a href=\"/y/2023\">2023 count</a></td><td>41,200</td></tr>"
      "<tr><td><a href=\"/y/2024\">2024 count</a></td><td>44,950</td></tr></table>" +
      Prose(3) + "</div>"));
  EXPECT_THAT(item.content_text(), Not(HasSubstr("Read also")));
  EXPECT_THAT(item.content_text(), HasSubstr("44,950"));
  EXPECT_THAT(item.content_text(), HasSubstr("Paragraph 3"));
}

TEST(ArticleExtractor, AShortPageStillGivesItsText) {
  // Under 500 characters the extractor retries with fewer rules and keeps the longest result.
  const auto item = ExtractOne(
      Page("<div class=\"comment-free\"><p>Closed on Sunday for repairs to the railing.</p>"
           "</div>"));
  EXPECT_EQ(item.content_text(), "Closed on Sunday for repairs to the railing.");
}

TEST(ArticleExtractor, ScoresLooseTextInsideDivsLikeParagraphs) {
  // Text written straight into divs, split by <br>, as many older sites do.
  const std::string loose =
      "The crossing reopened on Monday, after three weeks of repairs, to walkers, cyclists and "
      "the occasional horse.<br>Engineers replaced the railings, cleaned the arches, and "
      "checked every stone, twice.";
  const auto item = ExtractOne(Page("<div id=\"nav\"><a href=\"/\">Home</a> <a href=\"/a\">"
                                    "About</a></div><div class=\"content\"><div>" +
                                    loose + "</div><div>" + loose + " Again.</div></div>"));
  EXPECT_THAT(item.content_text(), HasSubstr("checked every stone, twice. Again."));
  EXPECT_THAT(item.content_text(), Not(HasSubstr("About")));
}

}  // namespace
}  // namespace tributary::parser
