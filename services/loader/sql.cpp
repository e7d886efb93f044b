#include "services/loader/sql.hpp"

#include <algorithm>
#include <functional>

#include "common/digest/sha256.hpp"
#include "common/pg/vector_text.hpp"
#include "services/loader/pg_text.hpp"

namespace tributary::loader::sql {

// A vector is current when a newer one is stored, or the same content's is, with as many
// passages as this message has (when it has its passages: `chunks` not null), or it is the
// stored version's and the stored vector is of its merged article (issue 19: the page's text
// replaced the feed's, and a redelivered feed item must not bring the feed text's vector back).
const char* const kCurrentRows = R"(
SELECT u.n,
       i.observed_at > u.observed_at OR i.content_hash = decode(u.content_hash, 'hex'),
       e.observed_at > u.observed_at
         OR (e.content_hash = i.article_hash AND i.content_hash = decode(u.content_hash, 'hex'))
         OR (e.content_hash = decode(u.content_hash, 'hex')
             AND (u.chunks IS NULL
                  OR u.chunks = (SELECT count(*) FROM item_chunks c
                                  WHERE c.item_id = i.id AND c.model_id = u.model_id)))
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::int[], $6::int[])
       WITH ORDINALITY AS u(source_id, external_id, content_hash, observed_at, model_id, chunks,
                            n)
  JOIN items i ON i.source_id = u.source_id AND i.external_id = u.external_id
  LEFT JOIN item_embeddings e ON e.item_id = i.id AND e.model_id = u.model_id)";

// Both run after the item_embeddings upsert of the same transaction, and only for a version
// that is the stored one now (e.observed_at <= its own): an older version redelivered after a
// newer one neither adds its passages back nor removes the newer one's.
const char* const kUpsertChunks = R"(
INSERT INTO item_chunks AS c (item_id, model_id, chunk, char_begin, char_end, content_hash,
                              embedding, observed_at)
SELECT i.id, u.model_id, u.chunk, u.char_begin, u.char_end, decode(u.content_hash, 'hex'),
       u.embedding::vector, u.observed_at
  FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[], $5::int[], $6::int[], $7::text[],
              $8::text[], $9::timestamptz[])
       WITH ORDINALITY AS u(source_id, external_id, model_id, chunk, char_begin, char_end,
                            content_hash, embedding, observed_at, n)
  JOIN items i ON i.source_id = u.source_id AND i.external_id = u.external_id
  JOIN item_embeddings e ON e.item_id = i.id AND e.model_id = u.model_id
                        AND e.observed_at <= u.observed_at
 ORDER BY u.n
ON CONFLICT (item_id, model_id, chunk) DO UPDATE SET
    char_begin = excluded.char_begin, char_end = excluded.char_end,
    content_hash = excluded.content_hash, embedding = excluded.embedding,
    observed_at = excluded.observed_at, updated_at = now()
  WHERE c.observed_at <= excluded.observed_at
    AND (c.content_hash, c.char_begin, c.char_end)
        IS DISTINCT FROM (excluded.content_hash, excluded.char_begin, excluded.char_end))";

const char* const kDeleteStaleChunks = R"(
DELETE FROM item_chunks c
 USING unnest($1::bigint[], $2::text[], $3::int[], $4::int[], $5::timestamptz[])
         AS u(source_id, external_id, model_id, chunks, observed_at)
  JOIN items i ON i.source_id = u.source_id AND i.external_id = u.external_id
  JOIN item_embeddings e ON e.item_id = i.id AND e.model_id = u.model_id
                        AND e.observed_at <= u.observed_at
 WHERE c.item_id = i.id AND c.model_id = u.model_id AND c.chunk >= u.chunks)";

namespace {

// The item upsert reads its rows from `rows`, a FROM item that names them `u` with the columns
// of ItemParams / the stage table, in that order.
std::string UpsertItemsFrom(std::string_view rows) {
  return std::string(R"(
INSERT INTO items AS i (source_id, external_id, url, canonical_url, title, summary, content_text,
                        authors, categories, enclosures, language, published_at, updated_at,
                        observed_at, content_hash, request_id, author_details, content_html,
                        article_state)
SELECT u.source_id, u.external_id, u.url, u.canonical_url, u.title, u.summary, u.content_text,
       u.authors::text[], u.categories::text[], u.enclosures::jsonb, u.language, u.published_at,
       u.updated_at, u.observed_at, decode(u.content_hash, 'hex'), u.request_id,
       u.author_details::jsonb, u.content_html,
       CASE WHEN u.article_wanted THEN 'wanted' END
  FROM )") + std::string(rows) + R"(
ON CONFLICT (source_id, external_id) DO UPDATE SET
    article_state = excluded.article_state, article_requested_at = NULL, article_attempts = NULL,
    article_fetched_at = NULL, article_url = NULL, article_request_id = NULL,
    article_hash = NULL, article_error = NULL,
    url = excluded.url, canonical_url = excluded.canonical_url, title = excluded.title,
    summary = excluded.summary, content_text = excluded.content_text,
    authors = excluded.authors, categories = excluded.categories,
    enclosures = excluded.enclosures, author_details = excluded.author_details,
    content_html = excluded.content_html, language = excluded.language,
    published_at = excluded.published_at, updated_at = excluded.updated_at,
    observed_at = excluded.observed_at, content_hash = excluded.content_hash,
    request_id = excluded.request_id, loaded_at = now()
  WHERE i.observed_at <= excluded.observed_at
    AND i.content_hash IS DISTINCT FROM excluded.content_hash
RETURNING i.id, (i.xmax = 0) AS inserted, i.source_id, i.canonical_url, i.title, i.observed_at,
          i.request_id)";
}

// The item is found by its natural key in the same transaction, so a vector is only written for
// an item that exists (and its id need not travel back to the client). `rows` names its rows `u`
// with the columns of EmbeddingParams / the stage table and an ordinal `n` (batch key order).
std::string UpsertEmbeddingsFrom(std::string_view rows) {
  return std::string(R"(
INSERT INTO item_embeddings AS e (item_id, model_id, content_hash, embedding, observed_at,
                                  request_id)
SELECT i.id, u.model_id, decode(u.content_hash, 'hex'), u.embedding::vector, u.observed_at,
       u.request_id
  FROM )") + std::string(rows) + R"(
  JOIN items i ON i.source_id = u.source_id AND i.external_id = u.external_id
 ORDER BY u.n
ON CONFLICT (item_id, model_id) DO UPDATE SET
    content_hash = excluded.content_hash, embedding = excluded.embedding,
    observed_at = excluded.observed_at, request_id = excluded.request_id, updated_at = now()
  WHERE e.observed_at <= excluded.observed_at
    AND e.content_hash IS DISTINCT FROM excluded.content_hash)";
}

}  // namespace

const std::string kUpsertItems = UpsertItemsFrom(R"(unnest(
              $1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
              $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[],
              $13::timestamptz[], $14::timestamptz[], $15::text[], $16::text[], $17::text[],
              $18::text[], $19::boolean[])
       AS u(source_id, external_id, url, canonical_url, title, summary, content_text, authors,
            categories, enclosures, language, published_at, updated_at, observed_at,
            content_hash, request_id, author_details, content_html, article_wanted))");

// COPY keeps the rows in batch (key) order, but a heap scan promises no order: sort, so that
// concurrent loaders lock rows in the same order.
const std::string kUpsertItemsFromStage =
    UpsertItemsFrom("(SELECT * FROM loader_stage_items ORDER BY source_id, external_id) AS u");

const std::string kUpsertEmbeddings = UpsertEmbeddingsFrom(
    R"(unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::timestamptz[],
              $7::text[])
       WITH ORDINALITY AS u(source_id, external_id, model_id, content_hash, embedding,
                            observed_at, request_id, n))");

const std::string kUpsertEmbeddingsFromStage = UpsertEmbeddingsFrom("loader_stage_embeddings u");

// Per session (pg::Database::OnConnect); emptied by every commit. Text where the unnest path
// sends text too (arrays, JSON, hex hashes), so both paths share one upsert statement.
const char* const kCreateStageTables = R"(
CREATE TEMP TABLE loader_stage_items (
  source_id bigint, external_id text, url text, canonical_url text, title text, summary text,
  content_text text, authors text, categories text, enclosures text, language text,
  published_at timestamptz, updated_at timestamptz, observed_at timestamptz, content_hash text,
  request_id text, author_details text, content_html text, article_wanted boolean)
  ON COMMIT DELETE ROWS;
CREATE TEMP TABLE loader_stage_embeddings (
  source_id bigint, external_id text, model_id int, content_hash text, embedding vector,
  observed_at timestamptz, n bigint, request_id text) ON COMMIT DELETE ROWS)";

// The page's text replaces content_text (search and chunks read it) only while the row holds
// the version the page was fetched for; the feed's own text stays in summary (moved there by
// the first merge when the feed gave content but no summary). A redelivered or older page is a
// no-op (article_hash, article_fetched_at). Which vectors follow: kArticleVectorsMissing.
const char* const kMergeArticles = R"(
UPDATE items AS i SET
    summary = CASE WHEN i.article_hash IS NULL THEN coalesce(nullif(i.summary, ''), i.content_text)
                   ELSE i.summary END,
    content_text = u.content_text,
    content_html = coalesce(u.content_html, i.content_html),
    language = coalesce(i.language, u.language),
    article_state = 'done', article_hash = decode(u.content_hash, 'hex'),
    article_fetched_at = u.fetched_at, article_url = u.url, article_request_id = u.request_id,
    article_error = NULL, loaded_at = now()
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
              $7::text[], $8::timestamptz[], $9::text[], $10::text[])
       AS u(source_id, external_id, item_hash, content_text, content_html, language,
            content_hash, fetched_at, url, request_id)
 WHERE i.source_id = u.source_id AND i.external_id = u.external_id
   AND i.content_hash = decode(u.item_hash, 'hex')
   AND i.article_hash IS DISTINCT FROM decode(u.content_hash, 'hex')
   AND (i.article_fetched_at IS NULL OR i.article_fetched_at <= u.fetched_at))";

// Of the articles the rows hold now (merged by kMergeArticles, or before), those whose vector
// or passages are not stored (a backfill by `tributary reembed`): their ordinals (1-based).
const char* const kArticleVectorsMissing = R"(
SELECT u.n
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[])
       WITH ORDINALITY AS u(source_id, external_id, item_hash, content_hash, model_id, chunks, n)
  JOIN items i ON i.source_id = u.source_id AND i.external_id = u.external_id
              AND i.content_hash = decode(u.item_hash, 'hex')
              AND i.article_hash = decode(u.content_hash, 'hex')
  LEFT JOIN item_embeddings e ON e.item_id = i.id AND e.model_id = u.model_id
 WHERE NOT coalesce(e.content_hash = i.article_hash
                    AND (u.chunks IS NULL
                         OR u.chunks = (SELECT count(*) FROM item_chunks c
                                         WHERE c.item_id = i.id AND c.model_id = u.model_id)),
                    false))";

// Only a version still waiting for its page: a failure never undoes a merged article.
const char* const kFailArticles = R"(
UPDATE items AS i SET article_state = 'failed', article_error = u.error
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
       AS u(source_id, external_id, item_hash, error)
 WHERE i.source_id = u.source_id AND i.external_id = u.external_id
   AND i.content_hash = decode(u.item_hash, 'hex')
   AND i.article_state IN ('wanted', 'requested'))";

const char* const kCopyStageItems = "COPY loader_stage_items FROM STDIN (FORMAT binary)";
const char* const kCopyStageEmbeddings =
    "COPY loader_stage_embeddings FROM STDIN (FORMAT binary)";

// A new story starts with item_count = its items in this batch (exactly the story_items rows the
// next statement adds for it), so the recount finds nothing to change and a new story costs an
// insert, not an insert plus an update. ON CONFLICT leaves item_count to the recount.
const char* const kUpsertStories = R"(
INSERT INTO stories AS s (canonical_url_hash, canonical_url, title, first_seen_at, last_seen_at,
                          item_count)
SELECT sha256(convert_to(u.url, 'UTF8')), u.url, u.title, u.first_seen, u.last_seen, u.n
  FROM (SELECT x.url, min(x.title) AS title, min(x.seen) AS first_seen, max(x.seen) AS last_seen,
               count(*) AS n
          FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS x(url, title, seen)
         GROUP BY x.url) u
 ORDER BY 1
ON CONFLICT (canonical_url_hash) DO UPDATE SET
    first_seen_at = least(s.first_seen_at, excluded.first_seen_at),
    last_seen_at = greatest(s.last_seen_at, excluded.last_seen_at),
    title = coalesce(s.title, excluded.title)
  WHERE excluded.first_seen_at < s.first_seen_at
     OR excluded.last_seen_at > s.last_seen_at
     OR (s.title IS NULL AND excluded.title IS NOT NULL))";

const char* const kMapStoryItems = R"(
WITH u AS (
  SELECT x.item_id, st.id AS story_id
    FROM unnest($1::bigint[], $2::text[]) AS x(item_id, url)
    LEFT JOIN stories st ON x.url IS NOT NULL
                        AND st.canonical_url_hash = sha256(convert_to(x.url, 'UTF8'))
), moved AS (
  DELETE FROM story_items si USING u
   WHERE si.item_id = u.item_id AND si.story_id IS DISTINCT FROM u.story_id
  RETURNING si.story_id
), added AS (
  INSERT INTO story_items (story_id, item_id)
  SELECT u.story_id, u.item_id FROM u WHERE u.story_id IS NOT NULL ORDER BY 1, 2
  ON CONFLICT DO NOTHING
  RETURNING story_id
)
SELECT story_id FROM moved UNION SELECT story_id FROM added)";

const char* const kRecountStories = R"(
UPDATE stories s SET item_count = c.n
  FROM (SELECT x.id, (SELECT count(*) FROM story_items si WHERE si.story_id = x.id) AS n
          FROM unnest($1::bigint[]) AS x(id)) c
 WHERE s.id = c.id AND s.item_count <> c.n)";

const char* const kUpdateItemsLastSeen = R"(
UPDATE sources s SET items_last_seen_at = x.seen
  FROM (SELECT y.id, max(y.seen) AS seen FROM unnest($1::bigint[], $2::timestamptz[]) AS y(id, seen)
         GROUP BY y.id) x
 WHERE s.id = x.id AND (s.items_last_seen_at IS NULL OR s.items_last_seen_at < x.seen))";

// Strictly newer (<, not the <= of 0001): only fetch events reach this statement (parse events
// only fill fetch_log), so an equal observed_at is a redelivery, which must not count a failure
// twice nor rewrite the row.
const char* const kUpdateSourceOutcomes = R"(
UPDATE sources AS s SET
    etag = CASE u.outcome WHEN 'ok' THEN u.etag
                          WHEN 'not_modified' THEN coalesce(u.etag, s.etag) ELSE s.etag END,
    last_modified = CASE u.outcome WHEN 'ok' THEN u.last_modified
                                   WHEN 'not_modified' THEN coalesce(u.last_modified, s.last_modified)
                                   ELSE s.last_modified END,
    last_fetched_at = u.observed_at,
    last_status = u.status,
    last_success_at = CASE WHEN u.outcome IN ('ok', 'not_modified') THEN u.observed_at
                           ELSE s.last_success_at END,
    consecutive_failures = CASE WHEN u.outcome IN ('ok', 'not_modified') THEN 0
                                ELSE s.consecutive_failures + 1 END,
    last_error = CASE WHEN u.outcome IN ('ok', 'not_modified') THEN NULL
                      ELSE coalesce(u.error, u.outcome) END,
    last_error_class = CASE WHEN u.outcome IN ('ok', 'not_modified') THEN NULL
                            ELSE coalesce(u.error_class, u.outcome) END,
    retry_after_until = u.observed_at + make_interval(secs => u.retry_after_s),
    server_max_age = make_interval(secs => u.max_age_s),
    observed_at = u.observed_at
  FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
              $8::bigint[], $9::bigint[], $10::timestamptz[])
       AS u(source_id, outcome, status, etag, last_modified, error_class, error, retry_after_s,
            max_age_s, observed_at)
 WHERE s.id = u.source_id AND (s.observed_at IS NULL OR s.observed_at < u.observed_at))";

const char* const kUpsertFeeds = R"(
INSERT INTO feeds AS f (source_id, feed_id, title, link, subtitle, language, updated_at, authors,
                        categories, format, observed_at, request_id)
SELECT u.source_id, u.feed_id, u.title, u.link, u.subtitle, u.language, u.updated_at,
       u.authors::jsonb, u.categories::text[], u.format, u.observed_at, u.request_id
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
              $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::timestamptz[],
              $12::text[])
       AS u(source_id, feed_id, title, link, subtitle, language, updated_at, authors,
            categories, format, observed_at, request_id)
ON CONFLICT (source_id) DO UPDATE SET
    feed_id = excluded.feed_id, title = excluded.title, link = excluded.link,
    subtitle = excluded.subtitle, language = excluded.language,
    updated_at = excluded.updated_at, authors = excluded.authors,
    categories = excluded.categories, format = excluded.format,
    observed_at = excluded.observed_at, request_id = excluded.request_id, loaded_at = now()
  WHERE f.observed_at <= excluded.observed_at
    AND (f.feed_id, f.title, f.link, f.subtitle, f.language, f.updated_at, f.authors,
         f.categories, f.format)
        IS DISTINCT FROM
        (excluded.feed_id, excluded.title, excluded.link, excluded.subtitle, excluded.language,
         excluded.updated_at, excluded.authors, excluded.categories, excluded.format))";

// A row that kCountNewItems started (url '') takes the event's url.
const char* const kUpsertFetchLog = R"(
INSERT INTO fetch_log AS f (request_id, source_id, url, status, outcome, error_class, error, bytes,
                            latency_ms, items_seen, children, format, parse_ok, fetched_at,
                            parent_request_id)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::text[], $6::text[],
                     $7::text[], $8::bigint[], $9::int[], $10::int[], $11::int[], $12::text[],
                     $13::boolean[], $14::timestamptz[], $15::text[])
ON CONFLICT (request_id) DO UPDATE SET
    url         = CASE WHEN f.url = '' THEN excluded.url ELSE f.url END,
    outcome     = CASE WHEN f.url = '' THEN excluded.outcome ELSE f.outcome END,
    parent_request_id = coalesce(f.parent_request_id, excluded.parent_request_id),
    status      = coalesce(f.status,      excluded.status),
    bytes       = coalesce(f.bytes,       excluded.bytes),
    latency_ms  = coalesce(f.latency_ms,  excluded.latency_ms),
    error_class = coalesce(f.error_class, excluded.error_class),
    error       = coalesce(f.error,       excluded.error),
    items_seen  = coalesce(f.items_seen,  excluded.items_seen),
    items_new   = coalesce(f.items_new,   excluded.items_new),
    children    = coalesce(f.children,    excluded.children),
    format      = coalesce(f.format,      excluded.format),
    parse_ok    = coalesce(f.parse_ok,    excluded.parse_ok)
  WHERE (f.status IS NULL AND excluded.status IS NOT NULL)
     OR (f.items_seen IS NULL AND excluded.items_seen IS NOT NULL)
     OR (f.parse_ok IS NULL AND excluded.parse_ok IS NOT NULL)
     OR f.url = ''
RETURNING 1)";

// fetch_log.items_new: the items a request added, counted in the transaction that inserts them
// (an insert happens once per natural key, so redelivery and replay never count twice). Items
// and source events travel on different topics and may be loaded in either order, or at once
// by two loaders: the upsert's row lock orders the two writers, and a request whose events are
// not loaded yet gets a row that they complete (url '' until then, outcome 'ok': only 2xx
// documents yield items).
const char* const kCountNewItems = R"(
INSERT INTO fetch_log AS f (request_id, source_id, url, outcome, fetched_at, items_new)
SELECT u.request_id, u.source_id, '', 'ok', u.fetched_at, u.n
  FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::int[])
       AS u(request_id, source_id, fetched_at, n)
 ORDER BY 1
ON CONFLICT (request_id) DO UPDATE SET items_new = coalesce(f.items_new, 0) + excluded.items_new)";

namespace {

template <typename Row>
class Columns {
 public:
  explicit Columns(const std::vector<Row>& rows) : rows_(rows) {}

  Columns& Add(const std::function<OptText(const Row&)>& column) {
    std::vector<OptText> values;
    values.reserve(rows_.size());
    for (const auto& row : rows_) values.push_back(column(row));
    params_.push_back(ArrayLiteral(std::span<const OptText>(values)));
    return *this;
  }
  std::vector<std::string> Take() { return std::move(params_); }

 private:
  const std::vector<Row>& rows_;
  std::vector<std::string> params_;
};

template <typename T>
OptText Num(const std::optional<T>& value) {
  if (!value) return std::nullopt;
  return std::to_string(*value);
}

}  // namespace

std::vector<std::string> CurrentRowsParams(const std::vector<ItemRow>& items,
                                           const std::map<ModelKey, int>& model_ids) {
  return Columns<ItemRow>(items)
      .Add([](const ItemRow& r) { return std::to_string(r.source_id); })
      .Add([](const ItemRow& r) { return r.external_id; })
      .Add([](const ItemRow& r) { return digest::Hex(r.content_hash); })
      .Add([](const ItemRow& r) { return TimestampText(r.observed_at_us); })
      .Add([&](const ItemRow& r) -> OptText {
        if (!r.embedding) return std::nullopt;
        return std::to_string(model_ids.at(r.embedding->model));
      })
      .Add([](const ItemRow& r) -> OptText {
        if (!r.embedding || !r.embedding->chunked) return std::nullopt;
        return std::to_string(r.embedding->chunks.size());
      })
      .Take();
}

std::vector<std::string> ChunkParams(const std::vector<ItemRow>& items,
                                     const std::map<ModelKey, int>& model_ids) {
  // One row per passage: flatten, remembering each passage's item.
  struct Passage {
    const ItemRow* item;
    const ChunkRow* chunk;
  };
  std::vector<Passage> passages;
  for (const auto& item : items) {
    if (!item.embedding || !item.embedding->chunked) continue;
    for (const auto& chunk : item.embedding->chunks) passages.push_back({&item, &chunk});
  }
  return Columns<Passage>(passages)
      .Add([](const Passage& p) { return std::to_string(p.item->source_id); })
      .Add([](const Passage& p) { return p.item->external_id; })
      .Add([&](const Passage& p) {
        return std::to_string(model_ids.at(p.item->embedding->model));
      })
      .Add([](const Passage& p) { return std::to_string(p.chunk->number); })
      .Add([](const Passage& p) { return std::to_string(p.chunk->char_begin); })
      .Add([](const Passage& p) { return std::to_string(p.chunk->char_end); })
      .Add([](const Passage& p) { return digest::Hex(p.chunk->content_hash); })
      .Add([](const Passage& p) { return pg::VectorText(p.chunk->values); })
      .Add([](const Passage& p) { return TimestampText(p.item->observed_at_us); })
      .Take();
}

std::vector<std::string> ChunkCountParams(const std::vector<ItemRow>& items,
                                          const std::map<ModelKey, int>& model_ids) {
  std::vector<const ItemRow*> chunked;
  for (const auto& item : items) {
    if (item.embedding && item.embedding->chunked) chunked.push_back(&item);
  }
  return Columns<const ItemRow*>(chunked)
      .Add([](const ItemRow* r) { return std::to_string(r->source_id); })
      .Add([](const ItemRow* r) { return r->external_id; })
      .Add([&](const ItemRow* r) { return std::to_string(model_ids.at(r->embedding->model)); })
      .Add([](const ItemRow* r) { return std::to_string(r->embedding->chunks.size()); })
      .Add([](const ItemRow* r) { return TimestampText(r->observed_at_us); })
      .Take();
}

std::vector<std::string> ItemParams(const std::vector<ItemRow>& items) {
  return Columns<ItemRow>(items)
      .Add([](const ItemRow& r) { return std::to_string(r.source_id); })
      .Add([](const ItemRow& r) { return r.external_id; })
      .Add([](const ItemRow& r) { return r.url; })
      .Add([](const ItemRow& r) { return r.canonical_url; })
      .Add([](const ItemRow& r) { return r.title; })
      .Add([](const ItemRow& r) { return r.summary; })
      .Add([](const ItemRow& r) { return r.content_text; })
      .Add([](const ItemRow& r) { return ArrayLiteral(std::span<const std::string>(r.authors)); })
      .Add([](const ItemRow& r) {
        return ArrayLiteral(std::span<const std::string>(r.categories));
      })
      .Add([](const ItemRow& r) { return EnclosuresJson(r.enclosures); })
      .Add([](const ItemRow& r) { return r.language; })
      .Add([](const ItemRow& r) { return TimestampText(r.published_at_us); })
      .Add([](const ItemRow& r) { return TimestampText(r.updated_at_us); })
      .Add([](const ItemRow& r) { return TimestampText(r.observed_at_us); })
      .Add([](const ItemRow& r) { return digest::Hex(r.content_hash); })
      .Add([](const ItemRow& r) { return r.request_id; })
      .Add([](const ItemRow& r) { return PeopleJson(r.author_details); })
      .Add([](const ItemRow& r) { return r.content_html; })
      .Add([](const ItemRow& r) -> OptText { return r.article_wanted ? "t" : "f"; })
      .Take();
}

std::vector<std::string> ArticleParams(const std::vector<ItemRow>& articles) {
  return Columns<ItemRow>(articles)
      .Add([](const ItemRow& r) { return std::to_string(r.source_id); })
      .Add([](const ItemRow& r) { return r.external_id; })
      .Add([](const ItemRow& r) { return digest::Hex(r.article->item_content_hash); })
      .Add([](const ItemRow& r) { return r.content_text; })
      .Add([](const ItemRow& r) { return r.content_html; })
      .Add([](const ItemRow& r) { return r.language; })
      .Add([](const ItemRow& r) { return digest::Hex(r.content_hash); })
      .Add([](const ItemRow& r) { return TimestampText(r.article->fetched_at_us); })
      .Add([](const ItemRow& r) { return r.article->url; })
      .Add([](const ItemRow& r) { return r.request_id; })
      .Take();
}

std::vector<std::string> ArticleVectorParams(const std::vector<const ItemRow*>& articles,
                                             const std::map<ModelKey, int>& model_ids) {
  return Columns<const ItemRow*>(articles)
      .Add([](const ItemRow* r) { return std::to_string(r->source_id); })
      .Add([](const ItemRow* r) { return r->external_id; })
      .Add([](const ItemRow* r) { return digest::Hex(r->article->item_content_hash); })
      .Add([](const ItemRow* r) { return digest::Hex(r->content_hash); })
      .Add([&](const ItemRow* r) { return std::to_string(model_ids.at(r->embedding->model)); })
      .Add([](const ItemRow* r) -> OptText {
        if (!r->embedding->chunked) return std::nullopt;
        return std::to_string(r->embedding->chunks.size());
      })
      .Take();
}

std::vector<std::string> ArticleFailureParams(const std::vector<ArticleFailure>& failures) {
  return Columns<ArticleFailure>(failures)
      .Add([](const ArticleFailure& r) { return std::to_string(r.source_id); })
      .Add([](const ArticleFailure& r) { return r.external_id; })
      .Add([](const ArticleFailure& r) { return digest::Hex(r.item_content_hash); })
      .Add([](const ArticleFailure& r) { return r.error; })
      .Take();
}

std::vector<std::string> EmbeddingParams(const std::vector<ItemRow>& items,
                                         const std::map<ModelKey, int>& model_ids) {
  // Usually every item has a vector (the embedded topic); copy only when some do not.
  std::vector<ItemRow> with;
  const bool all = std::all_of(items.begin(), items.end(),
                               [](const ItemRow& item) { return item.embedding.has_value(); });
  if (!all) {
    for (const auto& item : items) {
      if (item.embedding) with.push_back(item);
    }
  }
  return Columns<ItemRow>(all ? items : with)
      .Add([](const ItemRow& r) { return std::to_string(r.source_id); })
      .Add([](const ItemRow& r) { return r.external_id; })
      .Add([&](const ItemRow& r) { return std::to_string(model_ids.at(r.embedding->model)); })
      .Add([](const ItemRow& r) { return digest::Hex(r.content_hash); })
      .Add([](const ItemRow& r) { return pg::VectorText(r.embedding->values); })
      .Add([](const ItemRow& r) { return TimestampText(r.observed_at_us); })
      .Add([](const ItemRow& r) { return r.request_id; })
      .Take();
}

std::vector<std::string> FetchLogParams(const std::vector<SourceEventRow>& events) {
  return Columns<SourceEventRow>(events)
      .Add([](const SourceEventRow& r) { return r.request_id; })
      .Add([](const SourceEventRow& r) { return std::to_string(r.source_id); })
      .Add([](const SourceEventRow& r) { return r.url; })
      .Add([](const SourceEventRow& r) { return Num(r.status); })
      .Add([](const SourceEventRow& r) { return r.outcome; })
      .Add([](const SourceEventRow& r) { return r.error_class; })
      .Add([](const SourceEventRow& r) { return r.error; })
      .Add([](const SourceEventRow& r) { return Num(r.bytes); })
      .Add([](const SourceEventRow& r) { return Num(r.latency_ms); })
      .Add([](const SourceEventRow& r) { return Num(r.items_seen); })
      .Add([](const SourceEventRow& r) { return Num(r.children); })
      .Add([](const SourceEventRow& r) { return r.format; })
      .Add([](const SourceEventRow& r) -> OptText {
        if (!r.parse_ok) return std::nullopt;
        return *r.parse_ok ? "t" : "f";
      })
      .Add([](const SourceEventRow& r) { return TimestampText(r.observed_at_us); })
      .Add([](const SourceEventRow& r) { return r.parent_request_id; })
      .Take();
}

std::vector<std::string> FeedParams(const std::vector<FeedRow>& feeds) {
  return Columns<FeedRow>(feeds)
      .Add([](const FeedRow& r) { return std::to_string(r.source_id); })
      .Add([](const FeedRow& r) { return r.feed_id; })
      .Add([](const FeedRow& r) { return r.title; })
      .Add([](const FeedRow& r) { return r.link; })
      .Add([](const FeedRow& r) { return r.subtitle; })
      .Add([](const FeedRow& r) { return r.language; })
      .Add([](const FeedRow& r) { return TimestampText(r.updated_at_us); })
      .Add([](const FeedRow& r) { return PeopleJson(r.authors); })
      .Add([](const FeedRow& r) {
        return ArrayLiteral(std::span<const std::string>(r.categories));
      })
      .Add([](const FeedRow& r) { return r.format; })
      .Add([](const FeedRow& r) { return TimestampText(r.observed_at_us); })
      .Add([](const FeedRow& r) { return r.request_id; })
      .Take();
}

std::vector<std::string> SourceOutcomeParams(const std::vector<SourceEventRow>& events) {
  return Columns<SourceEventRow>(events)
      .Add([](const SourceEventRow& r) { return std::to_string(r.source_id); })
      .Add([](const SourceEventRow& r) { return r.outcome; })
      .Add([](const SourceEventRow& r) { return Num(r.status); })
      .Add([](const SourceEventRow& r) { return r.etag; })
      .Add([](const SourceEventRow& r) { return r.last_modified; })
      .Add([](const SourceEventRow& r) { return r.error_class; })
      .Add([](const SourceEventRow& r) { return r.error; })
      .Add([](const SourceEventRow& r) { return Num(r.retry_after_s); })
      .Add([](const SourceEventRow& r) { return Num(r.max_age_s); })
      .Add([](const SourceEventRow& r) { return TimestampText(r.observed_at_us); })
      .Take();
}

}  // namespace tributary::loader::sql
