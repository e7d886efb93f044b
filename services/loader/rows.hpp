#pragma once
// The loader's row model: what one input message becomes after decoding and validation, in the
// shape of the tables it is written to. Values are already rendered as PostgreSQL text (hex for
// bytea, RFC 3339 for timestamps, '[..]' for vectors) so the SQL adapter only assembles arrays.
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

struct EmbeddingRow {
  ModelKey model;
  std::string vector;         // pgvector text, e.g. "[0.1,0.2]" (unnest path)
  std::vector<float> values;  // the same vector for binary COPY
};

struct ItemRow {
  std::int64_t source_id = 0;
  std::string external_id;
  OptText url;
  OptText canonical_url;
  OptText title;
  OptText summary;
  OptText content_text;
  std::string authors;     // text[] literal, e.g. {"a","b"}
  std::string categories;  // text[] literal
  std::string enclosures;  // JSON array
  OptText language;
  OptText published_at;
  OptText updated_at;
  std::string observed_at;         // timestamptz text (UTC, microseconds)
  std::int64_t observed_at_us = 0;  // the same instant, for "newest wins" in a batch
  // published_at / updated_at as microseconds since the epoch, for binary COPY
  std::optional<std::int64_t> published_at_us;
  std::optional<std::int64_t> updated_at_us;
  std::string content_hash_hex;     // 64 hex digits
  OptText request_id;
  std::optional<EmbeddingRow> embedding;
};

// One SourceEvent: the fetch_log columns it knows (NULL for the others) plus, for fetch
// outcomes, the sources outcome columns.
struct SourceEventRow {
  std::int64_t source_id = 0;
  std::string request_id;
  std::string url;
  std::string observed_at;
  std::int64_t observed_at_us = 0;
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
};

}  // namespace tributary::loader
