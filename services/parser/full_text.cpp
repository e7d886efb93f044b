#include "services/parser/full_text.hpp"

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include "common/digest/sha256.hpp"
#include "services/parser/urls.hpp"

namespace tributary::parser {
namespace {

bool IsFeed(Format format) {
  switch (format) {
    case Format::kRss090:
    case Format::kRss091:
    case Format::kRss092:
    case Format::kRss2:
    case Format::kRss1Rdf:
    case Format::kAtom03:
    case Format::kAtom1:
    case Format::kCdf:
    case Format::kJsonFeed:
      return true;
    default:
      return false;
  }
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

}  // namespace

std::size_t CountWords(std::string_view text, std::size_t limit) {
  std::size_t words = 0;
  bool in_word = false;
  for (const char c : text) {
    if (IsSpace(c)) {
      in_word = false;
    } else if (!in_word) {
      if (words == limit) break;
      in_word = true;
      ++words;
    }
  }
  return words;
}

void MarkArticlesWanted(ParsedDocument& document, const v1::SourceOptions& options) {
  if (!IsFeed(document.format) || options.full_text() == v1::FULL_TEXT_NEVER) return;
  const bool always = options.full_text() == v1::FULL_TEXT_ALWAYS;
  const std::size_t min_words =
      options.full_text_min_words() == 0 ? kDefaultFullTextMinWords : options.full_text_min_words();
  for (auto& item : document.items) {
    if (!IsHttpUrl(item.url())) continue;
    const auto& text = item.content_text().empty() ? item.summary() : item.content_text();
    if (always || CountWords(text, min_words) < min_words) item.set_article_wanted(true);
  }
}

Result<ParsedDocument> AsArticle(ParsedDocument page, const ParseInput& input) {
  const auto& version = input.request.article_of();
  if (page.format != Format::kHtmlPage) {
    return Fail(ErrorKind::kPermanent, "parse",
                fmt::format("the article page of item '{}' is not an HTML page (read as {})",
                            version.external_id(), FormatName(page.format)));
  }
  if (page.items.empty() || page.items.front().content_text().empty()) {
    return Fail(ErrorKind::kPermanent, "parse",
                fmt::format("no article text found on the page of item '{}'",
                            version.external_id()));
  }
  const auto& extracted = page.items.front();
  v1::Item article;
  article.set_source_id(input.request.source_id());
  article.set_external_id(version.external_id());
  // The embedder's text starts with the title: the item's, as its own vector's did.
  article.set_title(version.title().empty() ? extracted.title() : version.title());
  article.set_content_text(extracted.content_text());
  article.set_content_html(extracted.content_html());
  article.set_language(extracted.language());
  article.set_request_id(input.request.request_id());
  *article.mutable_observed_at() = version.observed_at();
  article.set_content_hash(digest::Sha256Of(version.content_hash() + extracted.content_text()));
  auto* merge = article.mutable_article();
  merge->set_item_content_hash(version.content_hash());
  merge->set_url(input.url);
  *merge->mutable_fetched_at() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::nanoseconds>(input.fetched_at.time_since_epoch())
          .count());
  page.items.clear();
  page.items.push_back(std::move(article));
  page.children.clear();
  return page;
}

}  // namespace tributary::parser
