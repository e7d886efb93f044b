#pragma once
// The second half of article extraction: once the article's container is chosen, remove what
// sits inside it but is not the article (forms, embeds, share bars, link lists, image
// galleries with no text, headings marked as chrome), keeping data tables and code whole.
#include <cstdint>
#include <string_view>

#include "services/parser/article_stats.hpp"
#include "services/parser/html_dom.hpp"

namespace tributary::parser::html {

struct CleanOptions {
  bool weight_classes = true;       // class/id words ("comment", "share", "content") count
  bool clean_conditionally = true;  // remove blocks whose statistics look like chrome
  // No node of the article was made before this one (keeps the per-node tables small).
  std::uint32_t first_node_id = 0;
};

// Returns the characters of text left in the article. `stats` is scratch space the caller
// lends (each step computes what it reads).
double CleanArticle(Node* article, const CleanOptions& options, TreeStats& stats);

}  // namespace tributary::parser::html
