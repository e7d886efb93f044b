#pragma once
// The loader's row model: what one input message becomes after decoding and validation, in the
// shape of the tables it is written to, as plain values. Rendering them for PostgreSQL (text for
// the unnest statements, binary for COPY) is the store's business (sql.cpp, copy_rows.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tributary::loader {

using OptText = std::optional<std::string>;

// The model that made a vector, by natural key (name, version). dims must match the registered
// model's dims (embedding_models rows are immutable).
struct ModelKey {
  std::string name;
  std::string version;
  std::int32_t dims = 0;
  std::string distance = "cosine";  // cosine, l2 or inner_product; as immutable as dims
  auto operator<=>(const ModelKey&) const = default;
};

// One passage of the item's text and its vector (item_chunks), in the item's model.
struct ChunkRow {
  std::int32_t number = 0;  // 0, 1, ... in order
  std::int32_t char_begin = 0;
  std::int32_t char_end = 0;
  std::string content_hash;  // 32 raw bytes
  std::vector<float> values;
};

struct EmbeddingRow {
  ModelKey model;
  std::vector<float> values;
  // The item's whole set of passages when `chunked` (stored ones past it are removed); without
  // it (a message from an embedder before chunks) item_chunks is left as it is.
  bool chunked = false;
  std::vector<ChunkRow> chunks;
};

struct Enclosure {
  std::string url;
  std::string type;
  std::int64_t length = 0;
};

// An author (or a feed's author) as [{"name", "email", "uri"}] elements of a jsonb column.
struct Person {
  std::string name;
  std::string email;
  std::string uri;
};

// An article page merged into an item version (Item.article, issue 19).
struct ArticleRow {
  std::string item_content_hash;  // 32 bytes: the version the page was fetched for
  std::int64_t fetched_at_us = 0;
  OptText url;
};

struct ItemRow {
  std::int64_t source_id = 0;
  std::string external_id;
  OptText url;
  OptText canonical_url;
  OptText title;
  OptText summary;
  OptText content_text;
  std::vector<std::string> authors;
  std::vector<std::string> categories;
  std::vector<Enclosure> enclosures;
  std::vector<Person> author_details;  // in `authors` order
  OptText content_html;
  OptText language;
  // Instants as microseconds since the epoch (UTC).
  std::optional<std::int64_t> published_at_us;
  std::optional<std::int64_t> updated_at_us;
  std::int64_t observed_at_us = 0;  // also "newest wins" within a batch
  std::string content_hash;         // 32 bytes (SHA-256)
  OptText request_id;
  std::optional<EmbeddingRow> embedding;
  bool article_wanted = false;         // recorded when this version is stored
  std::optional<ArticleRow> article;   // set: merge into the item, do not upsert a row
};

// What the source's own document says about itself (ParseResult.feed): one `feeds` row.
struct FeedRow {
  std::int64_t source_id = 0;
  OptText feed_id;
  OptText title;
  OptText link;
  OptText subtitle;
  OptText language;
  std::optional<std::int64_t> updated_at_us;
  std::vector<Person> authors;
  std::vector<std::string> categories;
  OptText format;
  std::int64_t observed_at_us = 0;  // the fetch time: the monotonic guard
  std::string request_id;
};

// One SourceEvent: the fetch_log columns it knows (NULL for the others) plus, for fetch
// outcomes, the sources outcome columns.
struct SourceEventRow {
  std::int64_t source_id = 0;
  std::string request_id;
  std::string url;
  std::int64_t observed_at_us = 0;  // microseconds since the epoch (UTC)
  bool is_fetch = false;
  // A child fetch (a sitemap's page): recorded in fetch_log only, never a source outcome.
  bool is_child = false;
  OptText parent_request_id;
  std::string outcome;  // lower-case word, e.g. ok, not_modified, http_error
  std::optional<std::int32_t> status;
  OptText error_class;
  OptText error;
  std::optional<std::int64_t> bytes;
  std::optional<std::int32_t> latency_ms;
  std::optional<std::int32_t> items_seen;
  std::optional<std::int32_t> children;
  OptText format;
  std::optional<bool> parse_ok;
  // fetch outcome only
  OptText etag;
  OptText last_modified;
  std::optional<std::int64_t> retry_after_s;
  std::optional<std::int64_t> max_age_s;
  // parse outcome of the source's own document only
  std::optional<FeedRow> feed;
  // An article fetch (SourceEvent.article_of): the item version it was for.
  OptText article_external_id;
  std::string article_item_hash;  // 32 bytes
};

// An article fetch or parse that failed: the item keeps the feed's text and says why.
struct ArticleFailure {
  std::int64_t source_id = 0;
  std::string external_id;
  std::string item_content_hash;  // 32 bytes
  std::string error;
};

}  // namespace tributary::loader
