#pragma once
// The second half of article extraction: once the article's container is chosen, remove what
// sits inside it but is not the article (forms, embeds, share bars, link lists, image
// galleries with no text, headings marked as chrome), keeping data tables and code whole.
#include <libxml/tree.h>

#include <string_view>

namespace tributary::parser::html {

struct CleanOptions {
  bool weight_classes = true;       // class/id words ("comment", "share", "content") count
  bool clean_conditionally = true;  // remove blocks whose statistics look like chrome
};

// Returns the characters of text left in the article.
double CleanArticle(xmlNode* article, const CleanOptions& options);

// +25 per attribute (class, id) whose words say content, -25 per one that says chrome.
int ClassWeight(const xmlNode* node);

}  // namespace tributary::parser::html
