#pragma once
// What a web page says about itself, from the most to the least deliberate source: JSON-LD
// (schema.org Article and its kinds), then Open Graph / Twitter / Dublin Core <meta>, then the
// plain <title> with the site's name cut off ("Story | Site" -> "Story").
#include <string>
#include <vector>

#include "services/parser/html_dom.hpp"

namespace tributary::parser {

struct PageMetadata {
  std::string title;        // the article's title
  std::string description;  // its summary
  std::vector<std::string> authors;
  std::string published;  // as written (Normalize parses dates)
  std::string modified;
  std::string image;  // the lead image
  std::string site_name;
  std::string language;
  std::string canonical;  // <link rel=canonical>, else og:url
  std::vector<std::string> keywords;
  std::string document_title;  // <title> as written
};

// `root` is the page's <html> element.
PageMetadata ReadPageMetadata(html::Node* root);

// "Story title | Site" -> "Story title", unless that would leave too few words to be a title.
std::string TitleWithoutSiteName(const std::string& title);

}  // namespace tributary::parser
