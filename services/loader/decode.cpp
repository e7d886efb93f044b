#include "services/loader/decode.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <limits>

#include "common/codec/codec.hpp"
#include "tributary/v1/item.pb.h"
#include "tributary/v1/source_event.pb.h"

namespace tributary::loader {
namespace {

// 0001-01-01 .. 9999-12-31: what PostgreSQL's timestamptz and our text rendering both accept.
constexpr std::int64_t kMinSeconds = -62135596800;
constexpr std::int64_t kMaxSeconds = 253402300799;

tl::unexpected<Error> Invalid(std::string message) {
  return Fail(ErrorKind::kPermanent, "invalid", std::move(message));
}

bool ValidTimestamp(const google::protobuf::Timestamp& t) {
  return t.seconds() >= kMinSeconds && t.seconds() <= kMaxSeconds && t.nanos() >= 0 &&
         t.nanos() < 1'000'000'000;
}

// Empty proto strings mean "not set": they become NULL. A NUL byte cannot travel in PostgreSQL
// text, so it is a permanent error (reported by the caller).
OptText Text(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}

bool HasNul(const std::string& value) { return value.find('\0') != std::string::npos; }

std::int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1'000'000 + t.nanos() / 1000;
}

Result<std::optional<std::int64_t>> Time(const google::protobuf::Timestamp& t, bool present,
                                         const char* field) {
  if (!present) return std::optional<std::int64_t>{};
  if (!ValidTimestamp(t)) return Invalid(fmt::format("{} is out of range", field));
  return std::optional<std::int64_t>{Micros(t)};
}

std::string LowerOutcome(v1::FetchOutcome outcome) {
  std::string name = v1::FetchOutcome_Name(outcome);
  constexpr std::string_view kPrefix = "FETCH_OUTCOME_";
  if (name.starts_with(kPrefix)) name.erase(0, kPrefix.size());
  if (name.empty()) name = "unspecified";
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::optional<std::int64_t> Seconds(const google::protobuf::Duration& d, bool present) {
  if (!present || d.seconds() < 0) return std::nullopt;
  return d.seconds();
}

}  // namespace

namespace {

Result<FeedRow> ToFeedRow(const v1::FeedInfo& feed, const SourceEventRow& event) {
  for (const auto* text : {&feed.id(), &feed.title(), &feed.link(), &feed.subtitle(),
                           &feed.language()}) {
    if (HasNul(*text)) return Invalid("a feed field contains a NUL byte");
  }
  auto updated = Time(feed.updated_at(), feed.has_updated_at(), "feed.updated_at");
  if (!updated) return tl::unexpected(updated.error());
  FeedRow row;
  row.source_id = event.source_id;
  row.feed_id = Text(feed.id());
  row.title = Text(feed.title());
  row.link = Text(feed.link());
  row.subtitle = Text(feed.subtitle());
  row.language = Text(feed.language());
  row.updated_at_us = *updated;
  for (const auto& p : feed.authors()) {
    if (HasNul(p.name()) || HasNul(p.email()) || HasNul(p.uri())) {
      return Invalid("a feed author contains a NUL byte");
    }
    row.authors.push_back({.name = p.name(), .email = p.email(), .uri = p.uri()});
  }
  for (const auto& category : feed.categories()) {
    if (HasNul(category)) return Invalid("a feed category contains a NUL byte");
    row.categories.push_back(category);
  }
  row.format = event.format;
  row.observed_at_us = event.observed_at_us;
  row.request_id = event.request_id;
  return row;
}

}  // namespace

Result<ItemRow> ToItemRow(const v1::Item& item) {
  if (item.source_id() <= 0) return Invalid("source_id must be positive");
  if (item.external_id().empty()) return Invalid("external_id is empty");
  if (item.content_hash().size() != 32) {
    return Invalid(fmt::format("content_hash has {} bytes, expected 32 (SHA-256)",
                               item.content_hash().size()));
  }
  if (!item.has_observed_at()) return Invalid("observed_at is missing");
  for (const auto* text : {&item.external_id(), &item.url(), &item.canonical_url(), &item.title(),
                           &item.summary(), &item.content_text(), &item.language(),
                           &item.request_id(), &item.content_html()}) {
    if (HasNul(*text)) return Invalid("a text field contains a NUL byte");
  }
  auto observed = Time(item.observed_at(), true, "observed_at");
  auto published = Time(item.published_at(), item.has_published_at(), "published_at");
  auto updated = Time(item.updated_at(), item.has_updated_at(), "updated_at");
  for (const auto* t : {&observed, &published, &updated}) {
    if (!*t) return tl::unexpected(t->error());
  }
  ItemRow row;
  row.source_id = item.source_id();
  row.external_id = item.external_id();
  row.url = Text(item.url());
  row.canonical_url = Text(item.canonical_url());
  row.title = Text(item.title());
  row.summary = Text(item.summary());
  row.content_text = Text(item.content_text());
  row.content_html = Text(item.content_html());
  row.authors.assign(item.authors().begin(), item.authors().end());
  row.categories.assign(item.categories().begin(), item.categories().end());
  for (const auto& list : {&row.authors, &row.categories}) {
    for (const auto& s : *list) {
      if (HasNul(s)) return Invalid("an author or category contains a NUL byte");
    }
  }
  for (const auto& e : item.enclosures()) {
    if (HasNul(e.url()) || HasNul(e.type())) return Invalid("an enclosure contains a NUL byte");
    row.enclosures.push_back({.url = e.url(), .type = e.type(), .length = e.length()});
  }
  for (const auto& p : item.author_details()) {
    if (HasNul(p.name()) || HasNul(p.email()) || HasNul(p.uri())) {
      return Invalid("an author contains a NUL byte");
    }
    row.author_details.push_back({.name = p.name(), .email = p.email(), .uri = p.uri()});
  }
  row.language = Text(item.language());
  row.published_at_us = *published;
  row.updated_at_us = *updated;
  row.observed_at_us = **observed;
  row.content_hash = item.content_hash();
  row.request_id = Text(item.request_id());
  row.article_wanted = item.article_wanted();
  if (item.has_article()) {
    const auto& a = item.article();
    if (a.item_content_hash().size() != 32) {
      return Invalid(fmt::format("article.item_content_hash has {} bytes, expected 32",
                                 a.item_content_hash().size()));
    }
    if (HasNul(a.url())) return Invalid("article.url contains a NUL byte");
    auto fetched = Time(a.fetched_at(), true, "article.fetched_at");
    if (!fetched) return tl::unexpected(fetched.error());
    row.article = ArticleRow{.item_content_hash = a.item_content_hash(),
                             .fetched_at_us = **fetched,
                             .url = Text(a.url())};
  }
  return row;
}

Result<ItemRow> ToItemRow(const v1::EmbeddedItem& embedded) {
  auto row = ToItemRow(embedded.item());
  if (!row) return row;
  if (embedded.model_name().empty()) return Invalid("model_name is empty");
  if (HasNul(embedded.model_name()) || HasNul(embedded.model_version())) {
    return Invalid("model name or version contains a NUL byte");
  }
  if (embedded.dims() == 0 || embedded.dims() > 16000) {
    return Invalid(fmt::format("dims {} is outside 1..16000", embedded.dims()));
  }
  if (static_cast<std::size_t>(embedded.vector_size()) != embedded.dims()) {
    return Invalid(fmt::format("vector has {} values but dims is {}", embedded.vector_size(),
                               embedded.dims()));
  }
  const std::string distance = embedded.distance().empty() ? "cosine" : embedded.distance();
  if (distance != "cosine" && distance != "l2" && distance != "inner_product") {
    return Invalid(fmt::format("distance '{}' is not cosine, l2 or inner_product",
                               distance.substr(0, 32)));
  }
  row->embedding = EmbeddingRow{
      .model = {.name = embedded.model_name(),
                .version = embedded.model_version(),
                .dims = static_cast<std::int32_t>(embedded.dims()),
                .distance = distance},
      .values = {embedded.vector().begin(), embedded.vector().end()},
      .chunked = embedded.chunked()};
  constexpr std::uint32_t kMaxChunkChar = std::numeric_limits<std::int32_t>::max();
  for (int c = 0; c < embedded.chunks_size(); ++c) {
    const auto& chunk = embedded.chunks(c);
    if (chunk.number() != static_cast<std::uint32_t>(c)) {
      return Invalid(fmt::format("chunk {} is numbered {}: chunks go 0, 1, ... in order", c,
                                 chunk.number()));
    }
    if (chunk.char_end() <= chunk.char_begin() || chunk.char_end() > kMaxChunkChar) {
      return Invalid(fmt::format("chunk {} spans characters {}..{}", c, chunk.char_begin(),
                                 chunk.char_end()));
    }
    if (chunk.content_hash().size() != 32) {
      return Invalid(fmt::format("chunk {} content_hash has {} bytes, expected 32", c,
                                 chunk.content_hash().size()));
    }
    if (static_cast<std::size_t>(chunk.vector_size()) != embedded.dims()) {
      return Invalid(fmt::format("chunk {} vector has {} values but dims is {}", c,
                                 chunk.vector_size(), embedded.dims()));
    }
    row->embedding->chunks.push_back(
        {.number = static_cast<std::int32_t>(chunk.number()),
         .char_begin = static_cast<std::int32_t>(chunk.char_begin()),
         .char_end = static_cast<std::int32_t>(chunk.char_end()),
         .content_hash = chunk.content_hash(),
         .values = {chunk.vector().begin(), chunk.vector().end()}});
  }
  return row;
}

Result<SourceEventRow> ToSourceEventRow(const v1::SourceEvent& event) {
  if (event.request_id().empty()) return Invalid("request_id is empty");
  if (event.source_id() <= 0) return Invalid("source_id must be positive");
  if (event.url().empty()) return Invalid("url is empty");
  if (!event.has_observed_at() || !ValidTimestamp(event.observed_at())) {
    return Invalid("observed_at is missing or out of range");
  }
  for (const auto* text : {&event.request_id(), &event.url(), &event.error_class(),
                           &event.error(), &event.parent_request_id()}) {
    if (HasNul(*text)) return Invalid("a text field contains a NUL byte");
  }
  SourceEventRow row;
  row.source_id = event.source_id();
  row.request_id = event.request_id();
  row.url = event.url();
  row.observed_at_us = Micros(event.observed_at());
  row.error_class = Text(event.error_class());
  row.error = Text(event.error());
  row.is_child = event.depth() > 0 || !event.parent_request_id().empty();
  row.parent_request_id = Text(event.parent_request_id());
  if (event.has_article_of()) {
    const auto& version = event.article_of();
    if (version.external_id().empty() || HasNul(version.external_id()) ||
        version.content_hash().size() != 32) {
      return Invalid("article_of needs an external_id and a 32-byte content_hash");
    }
    row.article_external_id = version.external_id();
    row.article_item_hash = version.content_hash();
  }
  if (event.has_fetch()) {
    const auto& f = event.fetch();
    if (HasNul(f.etag()) || HasNul(f.last_modified())) return Invalid("a validator has a NUL");
    row.is_fetch = true;
    row.outcome = LowerOutcome(f.outcome());
    if (f.status() > 0 && f.status() < 1000) row.status = static_cast<std::int32_t>(f.status());
    if (f.bytes() >= 0) row.bytes = f.bytes();
    if (f.has_latency() && f.latency().seconds() >= 0 && f.latency().seconds() < 2'000'000) {
      row.latency_ms = static_cast<std::int32_t>(f.latency().seconds() * 1000 +
                                                 f.latency().nanos() / 1'000'000);
    }
    row.etag = Text(f.etag());
    row.last_modified = Text(f.last_modified());
    row.retry_after_s = Seconds(f.retry_after(), f.has_retry_after());
    row.max_age_s = Seconds(f.max_age(), f.has_max_age());
  } else if (event.has_parse()) {
    const auto& p = event.parse();
    if (HasNul(p.format())) return Invalid("format contains a NUL byte");
    row.outcome = "ok";  // only 2xx documents reach the parser
    row.parse_ok = p.ok();
    row.format = Text(p.format());
    row.items_seen = static_cast<std::int32_t>(std::min<std::uint32_t>(p.items_seen(), INT32_MAX));
    row.children = static_cast<std::int32_t>(std::min<std::uint32_t>(p.children(), INT32_MAX));
    if (p.has_feed() && !row.is_child) {
      auto feed = ToFeedRow(p.feed(), row);
      if (!feed) return tl::unexpected(feed.error());
      row.feed = std::move(*feed);
    }
  } else {
    return Invalid("SourceEvent has neither a fetch nor a parse result");
  }
  return row;
}

Result<Record> DecodeRecord(const kafka::Message& message, InputKind kind) {
  const auto content_type = message.Header(codec::kContentTypeHeader).value_or("");
  switch (kind) {
    case InputKind::kItem: {
      auto item = codec::Decode<v1::Item>(message.value, content_type);
      if (!item) return tl::unexpected(item.error());
      auto row = ToItemRow(*item);
      if (!row) return tl::unexpected(row.error());
      return Record{std::move(*row)};
    }
    case InputKind::kEmbedded: {
      auto item = codec::Decode<v1::EmbeddedItem>(message.value, content_type);
      if (!item) return tl::unexpected(item.error());
      auto row = ToItemRow(*item);
      if (!row) return tl::unexpected(row.error());
      return Record{std::move(*row)};
    }
    case InputKind::kSourceEvent: {
      auto event = codec::Decode<v1::SourceEvent>(message.value, content_type);
      if (!event) return tl::unexpected(event.error());
      auto row = ToSourceEventRow(*event);
      if (!row) return tl::unexpected(row.error());
      return Record{std::move(*row)};
    }
  }
  return Invalid("unknown input kind");
}

}  // namespace tributary::loader
