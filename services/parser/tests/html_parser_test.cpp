// Our HTML parser's tree (html_parser.hpp): where HTML5's rules put each element and each run
// of text, what raw-text elements keep, how names, attributes and references are read, and
// that hostile nesting neither recurses nor goes quadratic.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "services/parser/html_dom.hpp"
#include "services/parser/html_parser.hpp"

namespace tributary::parser::html {
namespace {

// The body's markup as the tree holds it.
std::string Body(const std::string& page) {
  auto doc = ParseHtml(page);
  for (Node* child = doc.root()->first_child; child != nullptr; child = child->next) {
    if (IsTag(child, "body")) return OuterHtml(child);
  }
  return "(no body)";
}

TEST(HtmlParser, StartTagsCloseTheParagraphsListItemsCellsAndHeadingsTheyFollow) {
  EXPECT_EQ(Body("<p>one<p>two<div>three</div>"),
            "<body><p>one</p><p>two</p><div>three</div></body>");
  EXPECT_EQ(Body("<ul><li>a<li>b<ul><li>c</ul></ul>"),
            "<body><ul><li>a</li><li>b<ul><li>c</li></ul></li></ul></body>");
  EXPECT_EQ(Body("<dl><dt>term<dd>meaning<dt>next</dl>"),
            "<body><dl><dt>term</dt><dd>meaning</dd><dt>next</dt></dl></body>");
  EXPECT_EQ(Body("<table><tr><td>a<td>b<tr><th>c</table>after"),
            "<body><table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>after</body>");
  EXPECT_EQ(Body("<h1>title<h2>section</h2>text"),
            "<body><h1>title</h1><h2>section</h2>text</body>");
  EXPECT_EQ(Body("<a href=\"/1\">one<a href=\"/2\">two</a>"),
            "<body><a href=\"/1\">one</a><a href=\"/2\">two</a></body>");
  // A paragraph inside a cell is not closed by the table's own tags from outside it.
  EXPECT_EQ(Body("<p>lead<table><tr><td><p>cell</td></tr></table>"),
            "<body><p>lead</p><table><tr><td><p>cell</p></td></tr></table></body>");
}

TEST(HtmlParser, EndTagsCloseWhatIsOpenInsideThemAndStrayOnesAreIgnored) {
  EXPECT_EQ(Body("<div><span><b>x</div>y"), "<body><div><span><b>x</b></span></div>y</body>");
  EXPECT_EQ(Body("<div>a</span>b</p>c</div>"), "<body><div>abc</div></body>");
  // An inline end tag does not reach through a block to close an element outside it.
  EXPECT_EQ(Body("<span><div>a</span>b</div>c"),
            "<body><span><div>ab</div>c</span></body>");
  EXPECT_EQ(Body("<ul><li>a</ul></li>b"), "<body><ul><li>a</li></ul>b</body>");
  EXPECT_EQ(Body("line</br>next"), "<body>line<br>next</body>");
  // "/>" closes an element in SVG and MathML; in HTML it is ignored, as browsers do.
  EXPECT_EQ(Body("<svg><path d=\"M0\"/><circle/r=1>c</circle></svg><div/>in <a href=/x/>link</a>"),
            "<body><svg><path d=\"M0\"></path><circle r=\"1\">c</circle></svg>"
            "<div>in <a href=\"/x/\">link</a></div></body>");
  EXPECT_EQ(Body("<p>a</body>b</html>c"), "<body><p>abc</p></body>");
}

TEST(HtmlParser, HeadContentGoesToTheHeadAndTheBodyIsImplied) {
  auto doc = ParseHtml(
      "<!DOCTYPE html>\n<?xml-stylesheet x?><html lang=\"de\">\n<title>A &amp; B</title>"
      "<meta name=\"description\" content=\"D\">\n  Text<meta property=\"late\">");
  Node* root = doc.root();
  EXPECT_EQ(Attr(root, "lang"), "de");
  ASSERT_TRUE(IsTag(root->first_child, "head"));
  EXPECT_EQ(OuterHtml(root->first_child),
            "<head><title>A &amp; B</title><meta name=\"description\" content=\"D\"></head>");
  ASSERT_TRUE(IsTag(root->last_child, "body"));
  EXPECT_EQ(OuterHtml(root->last_child), "<body>\n  Text<meta property=\"late\"></body>");
  // A second <html> or <body> adds the attributes the first lacked.
  auto merged = ParseHtml("<html lang=\"en\"><body class=\"a\">x<body id=\"b\" class=\"c\">"
                          "<html lang=\"fr\" dir=\"ltr\">");
  EXPECT_EQ(Attr(merged.root(), "lang"), "en");
  EXPECT_EQ(Attr(merged.root(), "dir"), "ltr");
  EXPECT_EQ(OuterHtml(merged.root()->last_child), "<body class=\"a\" id=\"b\">x</body>");
}

TEST(HtmlParser, ScriptsAndStylesAreRawTextTitlesDecodeReferences) {
  auto doc = ParseHtml(
      "<body><script type=\"application/ld+json\">if (a<b && c) s = \"</div><p>\";</SCRIPT >"
      "<style>p > a { content: \"&amp;\" }</style><textarea>1 &lt; 2</textarea>"
      "<noscript><img src=\"x\"></noscript>after");
  Node* body = doc.root()->last_child;
  Node* script = body->first_child;
  ASSERT_TRUE(IsTag(script, "script"));
  EXPECT_EQ(script->first_child->text, "if (a<b && c) s = \"</div><p>\";");
  ASSERT_TRUE(IsTag(script->next, "style"));
  EXPECT_EQ(script->next->first_child->text, "p > a { content: \"&amp;\" }");
  ASSERT_TRUE(IsTag(script->next->next, "textarea"));
  EXPECT_EQ(script->next->next->first_child->text, "1 < 2");
  Node* noscript = script->next->next->next;
  ASSERT_TRUE(IsTag(noscript, "noscript"));
  EXPECT_TRUE(IsText(noscript->first_child));
  EXPECT_EQ(noscript->next->text, "after");
  // A script that never ends holds the rest of the page.
  auto open = ParseHtml("<p>x<script>var a = 1; <p>y");
  EXPECT_EQ(OuterHtml(open.root()->last_child),
            "<body><p>x<script>var a = 1; &lt;p&gt;y</script></p></body>");
}

TEST(HtmlParser, NamesAttributesReferencesAndCommentsAreReadAsBrowsersDo) {
  EXPECT_EQ(Body("<DIV Class=\"A\" data-X='1 > 0' id=top hidden class=\"dup\">x</Div>"),
            "<body><div class=\"A\" data-x=\"1 &gt; 0\" id=\"top\" hidden=\"\">x</div></body>");
  // A name no HTML reader would read back as one is not written out.
  EXPECT_EQ(Body("<div \"=\"\" a<b=2 ok=1>x</div>"), "<body><div ok=\"1\">x</div></body>");
  EXPECT_EQ(Body("<a href=\"/?a=1&amp;b=2&c\" title=\"&quot;q&quot;\">t</a>"),
            "<body><a href=\"/?a=1&amp;b=2&amp;c\" title=\"&quot;q&quot;\">t</a></body>");
  auto doc = ParseHtml("<p>Caf&eacute;&nbsp;&#8212;&#x41;&bogus; R&D a<!-- note -->b "
                       "a < b <!-->c<!--->d</p>");
  Node* p = doc.root()->last_child->first_child;
  ASSERT_TRUE(IsTag(p, "p"));
  ASSERT_TRUE(IsText(p->first_child));
  EXPECT_EQ(p->first_child, p->last_child) << "text around comments is one node";
  EXPECT_EQ(p->first_child->text,
            "Caf\xC3\xA9\xC2\xA0\xE2\x80\x94" "A&bogus; R&D ab a < b cd");
  // The page ends inside a tag: the tag is dropped, the text before it kept.
  EXPECT_EQ(Body("<p>kept<a href=\"/unterminated"), "<body><p>kept</p></body>");
}

// The deepest element below `root` (root at 0), and how many elements there are.
std::pair<std::size_t, std::size_t> DepthAndElements(Node* root) {
  std::size_t deepest = 0;
  std::size_t elements = 0;
  std::vector<std::pair<Node*, std::size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    deepest = std::max(deepest, depth);
    if (!IsElement(node)) continue;
    ++elements;
    for (Node* child = node->first_child; child != nullptr; child = child->next) {
      stack.emplace_back(child, depth + 1);
    }
  }
  return {deepest, elements};
}

TEST(HtmlParser, HostileNestingKeepsEveryElementAtABoundedDepthInLinearTime) {
  constexpr std::size_t kDepth = 200'000;
  std::string page;
  for (std::size_t i = 0; i < kDepth; ++i) page += "<div><span>";
  page += "deep";
  // Stray end tags and list items whose searches would each walk the whole stack: without
  // the bounds this page takes hours.
  for (std::size_t i = 0; i < kDepth; ++i) page += "</section></b></h2></x-b>";
  for (std::size_t i = 0; i < kDepth / 4; ++i) page += "<x-a>";
  for (std::size_t i = 0; i < kDepth / 4; ++i) page += "</x-b><li></h3>";
  auto doc = ParseHtml(page);
  const auto [depth, elements] = DepthAndElements(doc.root());
  EXPECT_LE(depth, 513u);  // the text below the deepest element
  // html, body, the divs and spans, the x-a elements and the list items.
  EXPECT_EQ(elements, 2u + 2u * kDepth + kDepth / 4 + kDepth / 4);
  EXPECT_NE(OuterHtml(doc.root()).find("<span></span>deep<x-a></x-a>"), std::string::npos)
      << "the text stays where it was read, before the elements that follow it";
}

TEST(HtmlParser, ATagKeepsItsFirstAttributesUpToALimit) {
  std::string page = "<p";
  for (int i = 0; i < 100'000; ++i) page += " a" + std::to_string(i) + "=x";
  page += ">text";
  auto doc = ParseHtml(page);
  Node* p = doc.root()->last_child->first_child;
  ASSERT_TRUE(IsTag(p, "p"));
  EXPECT_EQ(p->attributes.size(), 256u);
  EXPECT_EQ(p->attributes.front().name, "a0");
  EXPECT_EQ(p->first_child->text, "text");
}

}  // namespace
}  // namespace tributary::parser::html
