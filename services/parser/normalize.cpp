#include "services/parser/normalize.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "common/digest/sha256.hpp"
#include "services/parser/charset.hpp"
#include "services/parser/dates.hpp"
#include "services/parser/html_sanitizer.hpp"
#include "services/parser/text.hpp"
#include "services/parser/urls.hpp"

namespace tributary::parser {
namespace {

constexpr std::size_t kMaxExternalIdBytes = 512;

void HashField(digest::Sha256& digest, std::string_view field) {
  std::array<char, 24> length{};
  auto* end = std::to_chars(length.data(), length.data() + length.size() - 1, field.size()).ptr;
  *end++ = ':';
  digest.Add(std::string_view(length.data(), static_cast<std::size_t>(end - length.data())));
  digest.Add(field);
}

void SetTime(google::protobuf::Timestamp* out, const UtcTime& time) {
  out->set_seconds(time.seconds);
  out->set_nanos(time.nanos);
}

void AddUnique(google::protobuf::RepeatedPtrField<std::string>* list, std::string value,
               std::size_t max_entries, std::size_t max_bytes) {
  value = CleanText(value, max_bytes);
  if (value.empty() || static_cast<std::size_t>(list->size()) >= max_entries) return;
  if (std::find(list->begin(), list->end(), value) != list->end()) return;
  list->Add(std::move(value));
}

}  // namespace

std::string CleanText(std::string_view text, std::size_t max_bytes) {
  std::string out = LooksLikeHtml(text) ? HtmlToText(text) : CollapseWhitespace(text);
  // Copies only when there is something to fix (rare: the input is already valid UTF-8).
  if (!IsCleanUtf8(out)) out = SanitizeUtf8(out);
  if (out.find('\xC2') != std::string::npos) out = FixC1Controls(out);
  TruncateUtf8(out, max_bytes);
  return out;
}

Person CleanPerson(const Person& person, const Limits& limits) {
  Person clean;
  clean.name = CleanText(person.name, limits.max_title_bytes);
  clean.email = CleanText(person.email, limits.max_title_bytes);
  clean.uri = SanitizeUtf8Owned(CollapseWhitespace(person.uri));
  if (clean.uri.size() > limits.max_url_bytes) clean.uri.clear();
  return clean;
}

void CleanFeedLists(FeedMetadata& meta, const Limits& limits) {
  meta.id = CollapseWhitespace(SanitizeUtf8(meta.id));
  if (meta.id.size() > limits.max_url_bytes) meta.id.clear();
  std::vector<Person> authors;
  for (const auto& author : meta.authors) {
    auto clean = CleanPerson(author, limits);
    if (clean.Empty()) continue;
    const auto seen = std::find_if(authors.begin(), authors.end(),
                                   [&](const Person& p) { return p.Display() == clean.Display(); });
    if (seen != authors.end()) {  // mentioned again: keep what the first mention lacked
      if (seen->email.empty()) seen->email = std::move(clean.email);
      if (seen->uri.empty()) seen->uri = std::move(clean.uri);
    } else if (authors.size() < limits.max_list_entries) {
      authors.push_back(std::move(clean));
    }
  }
  meta.authors = std::move(authors);
  std::vector<std::string> categories;
  for (const auto& category : meta.categories) {
    auto clean = CleanText(category, limits.max_title_bytes);
    if (clean.empty() || categories.size() >= limits.max_list_entries) continue;
    if (std::find(categories.begin(), categories.end(), clean) == categories.end()) {
      categories.push_back(std::move(clean));
    }
  }
  meta.categories = std::move(categories);
}

std::string ContentHash(const v1::Item& item) {
  // Fed field by field: no concatenated copy of a possibly megabyte-long text.
  digest::Sha256 digest;
  HashField(digest, item.title());
  HashField(digest, item.summary());
  HashField(digest, item.content_text());
  HashField(digest, item.canonical_url());
  return digest.Finish();
}

std::optional<v1::Item> Normalize(const RawEntry& entry, const NormalizeContext& context) {
  const auto& limits = context.limits;
  v1::Item item;
  item.set_source_id(context.source_id);
  item.set_request_id(context.request_id);
  const std::string base =
      entry.base.empty() ? context.base_url : ResolveUrl(entry.base, context.base_url);
  std::string url = SanitizeUtf8Owned(ResolveUrl(entry.link, base));
  TruncateUtf8(url, limits.max_url_bytes);
  item.set_url(url);
  item.set_canonical_url(CanonicalUrl(url));
  item.set_title(CleanText(entry.title, limits.max_title_bytes));
  item.set_summary(CleanText(entry.summary, limits.max_summary_bytes));
  item.set_content_text(entry.content.empty() ? item.summary()
                                              : CleanText(entry.content, limits.max_content_bytes));
  const auto& html = entry.content.empty() ? entry.summary : entry.content;
  if (!html.empty()) {
    const auto html_base =
        entry.content_base.empty() ? base : ResolveUrl(entry.content_base, context.base_url);
    // Valid UTF-8 by construction: the text it keeps already was, the references it decodes
    // become valid characters (U+FFFD for invalid ones), and it cuts only between tokens.
    item.set_content_html(SanitizeHtml(html, html_base, limits.max_content_bytes));
  }
  // An entry whose text is only its content (content:encoded, Atom content, <body>) is
  // summarized by that text, as feed readers show it; cut at the summary's own limit.
  if (item.summary().empty() && !item.content_text().empty()) {
    std::string summary = item.content_text();
    TruncateUtf8(summary, limits.max_summary_bytes);
    item.set_summary(std::move(summary));
  }
  for (const auto& author : entry.authors) {
    if (static_cast<std::size_t>(item.author_details_size()) >= limits.max_list_entries) break;
    auto clean = CleanPerson(author, limits);
    clean.uri = ResolveUrl(clean.uri, base);
    if (clean.uri.size() > limits.max_url_bytes) clean.uri.clear();
    if (clean.Empty()) continue;
    // One entry per display name, so `authors` and `author_details` stay in step; a second
    // mention (dc:creator, then <author> with the address) adds what the first lacked.
    const auto seen = std::find(item.authors().begin(), item.authors().end(), clean.Display());
    if (seen != item.authors().end()) {
      auto* known = item.mutable_author_details(static_cast<int>(seen - item.authors().begin()));
      if (known->email().empty()) known->set_email(std::move(clean.email));
      if (known->uri().empty()) known->set_uri(std::move(clean.uri));
      continue;
    }
    item.add_authors(clean.Display());
    auto* person = item.add_author_details();
    person->set_name(std::move(clean.name));
    person->set_email(std::move(clean.email));
    person->set_uri(std::move(clean.uri));
  }
  for (const auto& category : entry.categories) {
    AddUnique(item.mutable_categories(), category, limits.max_list_entries, limits.max_title_bytes);
  }
  for (const auto& enclosure : entry.enclosures) {
    if (static_cast<std::size_t>(item.enclosures_size()) >= limits.max_list_entries) break;
    auto enclosure_url = SanitizeUtf8Owned(ResolveUrl(enclosure.url, base));
    if (enclosure_url.empty() || enclosure_url.size() > limits.max_url_bytes) continue;
    auto* out = item.add_enclosures();
    out->set_url(std::move(enclosure_url));
    out->set_type(CleanText(enclosure.type, 256));
    out->set_length(std::max<std::int64_t>(0, enclosure.length));
  }
  item.set_language(CleanText(entry.language.empty() ? context.language : entry.language, 64));
  // Each date stands in for the other when missing, as feed readers do: a feed that only says
  // when an entry changed still says roughly when it appeared, and vice versa.
  auto published = ParseDate(entry.published);
  auto updated = ParseDate(entry.updated);
  if (!published) published = updated;
  if (!updated) updated = published;
  if (published) SetTime(item.mutable_published_at(), *published);
  if (updated) SetTime(item.mutable_updated_at(), *updated);

  // guid -> id -> link -> hash of title+date: stable across fetches because every input is.
  std::string external_id = CollapseWhitespace(SanitizeUtf8(entry.id));
  if (external_id.empty()) external_id = url;
  if (external_id.empty()) {
    if (item.title().empty() && item.content_text().empty() && item.enclosures().empty() &&
        !published && !updated && item.authors().empty() && item.categories().empty() &&
        entry.anonymous_text.empty() && item.content_html().empty()) {
      return std::nullopt;
    }
    const auto date = published ? published->seconds : (updated ? updated->seconds : 0);
    std::string seed = item.title();
    seed += '\n';
    seed += std::to_string(date);
    // Without a title the date alone would collide; the text and first enclosure break ties.
    if (item.title().empty()) {
      seed += '\n';
      seed += item.content_text();
      if (!item.enclosures().empty()) seed += item.enclosures(0).url();
      // The raw text keeps what the clean text loses (an <img> is all some posts are).
      if (!entry.anonymous_text.empty()) {
        seed += '\n';
        seed += entry.anonymous_text;
      } else if (!item.content_html().empty()) {
        seed += '\n';
        seed += item.content_html();
      }
    }
    external_id = "sha256:" + digest::Sha256HexOf(seed);
  } else if (external_id.size() > kMaxExternalIdBytes) {
    external_id = "sha256:" + digest::Sha256HexOf(external_id);
  }
  item.set_external_id(std::move(external_id));

  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(context.fetched_at.time_since_epoch());
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
      context.fetched_at.time_since_epoch() - seconds);
  item.mutable_observed_at()->set_seconds(seconds.count());
  item.mutable_observed_at()->set_nanos(static_cast<std::int32_t>(nanos.count()));
  item.set_content_hash(ContentHash(item));
  return item;
}

}  // namespace tributary::parser
