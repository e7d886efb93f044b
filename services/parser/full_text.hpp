#pragma once
// A feed item's full text (issue 19), the parser's two parts of it:
//  - MarkArticlesWanted: under the source's full_text setting, which feed items want their
//    linked page fetched (the loader records the wish only for a new or changed version, and
//    the scheduler turns it into a page fetch);
//  - AsArticle: the page fetched for one item version becomes an Item that the loader merges
//    into that item's row (Item.article), not an item of its own.
#include <cstddef>

#include "common/base/result.hpp"
#include "services/parser/parsed_document.hpp"

namespace tributary::parser {

// FULL_TEXT_AUTO's threshold when the source sets none: most feeds that carry the article carry
// far more; a summary or a first paragraph carries less.
inline constexpr std::uint32_t kDefaultFullTextMinWords = 150;

// Words as runs of non-space characters, counted up to `limit`: whether a text reaches the
// threshold needs no more, and feed items often carry whole articles.
std::size_t CountWords(std::string_view text, std::size_t limit = SIZE_MAX);

// Sets article_wanted on the items of a feed (RSS, Atom, CDF, JSON Feed) whose link is http(s)
// when the setting is ALWAYS, or AUTO (the default) and the item's text (content, else
// summary) has fewer words than the threshold. Sitemaps, pages and APIs are left alone.
void MarkArticlesWanted(ParsedDocument& document, const v1::SourceOptions& options);

// The page fetched for request.article_of, as the one Item to merge: the item's key and
// version's observed_at, the page's article text and HTML, content_hash over the version's
// hash and the text (so the vector made from it is new), Item.article set. A document that is
// not an HTML page, or a page without article text, is an error (class "parse").
[[nodiscard]] Result<ParsedDocument> AsArticle(ParsedDocument page, const ParseInput& input);

}  // namespace tributary::parser
