// Item HTML (html_sanitizer.hpp): inert elements and attributes only, every URL absolute and
// of a scheme a page may link to, scripts gone with their text, the result well-formed.
#include "services/parser/html_sanitizer.hpp"

#include <gtest/gtest.h>

namespace tributary::parser {
namespace {

constexpr std::string_view kBase = "http://base.example/blog/posts/";

std::string Safe(std::string_view html, std::size_t max_bytes = 1 << 20) {
  return SanitizeHtml(html, kBase, max_bytes);
}

TEST(HtmlSanitizer, KeepsFormattingAndResolvesEveryUrl) {
  EXPECT_EQ(Safe("<P CLASS=x>Hi <B>there</B> <a href='../x.html' title=\"T\">x</a>"
                 "<img src=/i.png alt=a onerror=steal()></P>"),
            "<p>Hi <b>there</b> <a href=\"http://base.example/blog/x.html\" title=\"T\">x</a>"
            "<img src=\"http://base.example/i.png\" alt=\"a\"></p>");
}

TEST(HtmlSanitizer, DropsScriptsStylesHandlersAndDangerousUrls) {
  EXPECT_EQ(Safe("a<script>if (a<b) alert('x')</script>b<style>p{}</style>c"
                 "<iframe src=x><p>inside</p></iframe>d"),
            "abcd");
  EXPECT_EQ(Safe("<a href=\"javascript:alert(1)\">j</a><a href=\"java\tscript:x\">t</a>"
                 "<a href=\" JAVASCRIPT:x\">u</a><img src=\"data:image/png;base64,AA\">"
                 "<a href=\"mailto:a@b.example\" style=\"x\" onclick=\"y\">m</a>"),
            "<a>j</a><a>t</a><a>u</a><img><a href=\"mailto:a@b.example\">m</a>");
}

TEST(HtmlSanitizer, UnknownTagsGoTheirTextStays) {
  EXPECT_EQ(Safe("<custom-el><o:p>word</o:p></custom-el><font color=red>red</font>"),
            "wordred");
}

TEST(HtmlSanitizer, OutputIsWellFormed) {
  EXPECT_EQ(Safe("<ul><li>one<li>two</ul></p><div><em>open"),
            "<ul><li>one<li>two</li></li></ul><div><em>open</em></div>");
  EXPECT_EQ(Safe("a < b &amp; c &lt;tag&gt; &eacute; \"q\""),
            "a &lt; b &amp; c &lt;tag&gt; \xC3\xA9 \"q\"");
  EXPECT_EQ(Safe("<!-- comment --><![CDATA[<raw>]]><!DOCTYPE html><?pi?>x"), "&lt;raw&gt;x");
  EXPECT_EQ(Safe("<a title='say \"hi\" & <go>'>x</a>"),
            "<a title=\"say &quot;hi&quot; &amp; &lt;go&gt;\">x</a>");
}

TEST(HtmlSanitizer, OutputIsValidUtf8WhateverTheReferences) {
  EXPECT_EQ(Safe("&#xD800;&#0;&#x110000;&#1;\xC3\xA9"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xC3\xA9");
}

TEST(HtmlSanitizer, KeepsMathMl) {
  EXPECT_EQ(Safe("<m:math display=block><m:mi>x</m:mi><m:msup><m:mi>y</m:mi><m:mn>2</m:mn>"
                 "</m:msup><m:mspace width=\"1em\"/></m:math>"),
            "<math display=\"block\"><mi>x</mi><msup><mi>y</mi><mn>2</mn></msup>"
            "<mspace width=\"1em\"></mspace></math>");
}

TEST(HtmlSanitizer, ACutStillClosesWhatIsOpen) {
  const auto out = Safe("<div><p>" + std::string(100, 'x') + "</p><p>more</p></div>", 50);
  EXPECT_EQ(out, "<div><p>" + std::string(100, 'x') + "</p></div>");
}

}  // namespace
}  // namespace tributary::parser
