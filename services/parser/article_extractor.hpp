#pragma once
// The article inside a web page, chosen by content scoring: paragraphs earn points for their
// length and commas, pass them to their ancestors, and the best-scoring container (less its
// link text) wins, joined by siblings that score close to it. Navigation, share bars, comment
// threads, related-article lists, cookie banners and hidden elements are removed before and
// after. When the result is short, it tries again less strictly and keeps the longest.
// The algorithm is the one Mozilla's Readability made common; this is our own implementation
// over our HTML tree (html_dom.hpp).
#include <string>
#include <string_view>

#include "services/parser/html_dom.hpp"

namespace tributary::parser {

struct Article {
  std::string html;    // the article's markup (empty when the page has no text)
  std::string byline;  // the author line the page's markup shows, removed from the article
};

// `title` is the page's title, so that a heading repeating it is not counted twice. `body` loses
// what never holds article text (scripts, styles, comments, navigation); each attempt then
// works on its own copy of what is left.
Article ExtractArticle(html::Document& doc, html::Node* body, std::string_view title);

}  // namespace tributary::parser
