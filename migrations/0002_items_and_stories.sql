-- 0002_items_and_stories.sql
--
-- What: `items` (one row per normalized entry of a source, latest version only), `stories`
--       (the same canonical URL seen in one or more sources) and `story_items` (story -> items).
--
-- Why:  items has the natural key (source_id, external_id) so every write from the loader is the
--       DESIGN §4 idempotent, monotonic upsert:
--
--         INSERT INTO items (source_id, external_id, url, canonical_url, title, summary,
--                            content_text, authors, categories, enclosures, language,
--                            published_at, updated_at, observed_at, content_hash, request_id)
--         SELECT * FROM unnest($1::bigint[], $2::text[], ...)
--         ON CONFLICT (source_id, external_id) DO UPDATE SET
--             url = excluded.url, canonical_url = excluded.canonical_url, title = excluded.title,
--             summary = excluded.summary, content_text = excluded.content_text,
--             authors = excluded.authors, categories = excluded.categories,
--             enclosures = excluded.enclosures, language = excluded.language,
--             published_at = excluded.published_at, updated_at = excluded.updated_at,
--             observed_at = excluded.observed_at, content_hash = excluded.content_hash,
--             request_id = excluded.request_id, loaded_at = now()
--           WHERE items.observed_at <= excluded.observed_at
--             AND items.content_hash IS DISTINCT FROM excluded.content_hash
--         RETURNING id, (xmax = 0) AS inserted;
--
--       A redelivery is a no-op, an old replay never overwrites a newer version, an unchanged
--       item costs no write. first_seen_at is never in the SET list (it is set once on insert).
--       Note: items.updated_at is the entry's own <updated>/dateModified from the feed, NOT a
--       row timestamp; the row's last write time is loaded_at.
--       An item whose source was deleted meanwhile fails the FK (SQLSTATE 23503): the source is
--       gone on purpose, so the loader may drop that record.
--
--       stories are keyed by SHA-256(canonical_url) (a fixed 32-byte key: URLs can exceed the
--       ~2.7 kB btree entry limit). Stories are aggregates, so they are idempotent by construction:
--         INSERT INTO stories (canonical_url_hash, canonical_url, title, first_seen_at, last_seen_at)
--         VALUES (...) ON CONFLICT (canonical_url_hash) DO UPDATE SET
--           first_seen_at = least(stories.first_seen_at, excluded.first_seen_at),
--           last_seen_at  = greatest(stories.last_seen_at, excluded.last_seen_at),
--           title = coalesce(stories.title, excluded.title)
--         WHERE excluded.first_seen_at < stories.first_seen_at
--            OR excluded.last_seen_at > stories.last_seen_at;
--         INSERT INTO story_items (story_id, item_id) VALUES (...) ON CONFLICT DO NOTHING;
--       When an item's canonical_url changes, the loader moves it (delete the old story_items
--       row); dq_duplicates reports items mapped to more than one story.
--       item_count is a denormalized count, recomputed (not incremented) by the loader:
--         UPDATE stories s SET item_count = (SELECT count(*) FROM story_items WHERE story_id = s.id)
--          WHERE s.id = ANY($1);
--
-- Index notes: canonical_url uses a HASH index (equality look-ups only, no entry size limit,
--       smaller than btree for long text). published_at DESC serves "latest items" listings;
--       (source_id, observed_at) serves per-source freshness; first_seen_at serves dq_rows_per_day.
--       The UNIQUE (source_id, external_id) index also serves the FK from items to sources.
--
-- Rollback (roll back 0003..0005 first; destroys data):
--   DROP TABLE IF EXISTS story_items;
--   DROP TABLE IF EXISTS stories;
--   DROP TABLE IF EXISTS items CASCADE;

CREATE TABLE IF NOT EXISTS items (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_id      bigint      NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  external_id    text        NOT NULL,
  url            text,
  canonical_url  text,
  title          text,
  summary        text,
  content_text   text,
  authors        text[]      NOT NULL DEFAULT '{}',
  categories     text[]      NOT NULL DEFAULT '{}',
  enclosures     jsonb       NOT NULL DEFAULT '[]'::jsonb,
  language       text,
  published_at   timestamptz,
  updated_at     timestamptz,
  observed_at    timestamptz NOT NULL,
  first_seen_at  timestamptz NOT NULL DEFAULT now(),
  content_hash   bytea       NOT NULL,
  request_id     text,
  loaded_at      timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT items_source_external_key UNIQUE (source_id, external_id),
  CONSTRAINT items_external_id_nonempty CHECK (length(external_id) > 0),
  CONSTRAINT items_content_hash_sha256 CHECK (octet_length(content_hash) = 32),
  CONSTRAINT items_enclosures_array CHECK (jsonb_typeof(enclosures) = 'array')
);

CREATE INDEX IF NOT EXISTS items_canonical_url_idx      ON items USING hash (canonical_url);
CREATE INDEX IF NOT EXISTS items_published_at_idx       ON items (published_at DESC);
CREATE INDEX IF NOT EXISTS items_source_observed_at_idx ON items (source_id, observed_at);
CREATE INDEX IF NOT EXISTS items_first_seen_at_idx      ON items (first_seen_at);

COMMENT ON TABLE  items IS
  'Normalized entries, latest version only. Natural key (source_id, external_id). Written only by the loader with the observed_at/content_hash guarded upsert.';
COMMENT ON COLUMN items.external_id IS 'Parser-derived id: guid -> id -> link -> hash of title+date. Non-empty.';
COMMENT ON COLUMN items.canonical_url IS 'URL with tracking parameters and fragment removed; groups items into stories.';
COMMENT ON COLUMN items.enclosures IS 'JSON array of {url, type, length}.';
COMMENT ON COLUMN items.updated_at IS 'The entry''s own updated date from the document (not a row timestamp; see loaded_at).';
COMMENT ON COLUMN items.observed_at IS 'Fetch time of the stored version: the monotonic guard of the upsert.';
COMMENT ON COLUMN items.first_seen_at IS 'When the item was first stored. Set on insert only, never updated.';
COMMENT ON COLUMN items.content_hash IS 'SHA-256 (32 bytes) of the normalized fields; unchanged hash = no write.';
COMMENT ON COLUMN items.request_id IS 'FetchRequest.request_id of the fetch that produced the stored version (joins fetch_log).';
COMMENT ON COLUMN items.loaded_at IS 'When the loader last wrote this row (set to now() in the upsert).';

CREATE TABLE IF NOT EXISTS stories (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  canonical_url_hash bytea       NOT NULL,
  canonical_url      text        NOT NULL,
  title              text,
  first_seen_at      timestamptz NOT NULL,
  last_seen_at       timestamptz NOT NULL,
  item_count         integer     NOT NULL DEFAULT 0,

  CONSTRAINT stories_canonical_url_hash_key UNIQUE (canonical_url_hash),
  CONSTRAINT stories_canonical_url_hash_sha256 CHECK (octet_length(canonical_url_hash) = 32),
  CONSTRAINT stories_item_count_nonneg CHECK (item_count >= 0)
);

COMMENT ON TABLE  stories IS
  'One story = one canonical URL, possibly seen in several sources. Natural key: canonical_url_hash = sha256(canonical_url).';
COMMENT ON COLUMN stories.item_count IS 'Denormalized count of story_items rows; recomputed by the loader.';

CREATE TABLE IF NOT EXISTS story_items (
  story_id bigint NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
  item_id  bigint NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  CONSTRAINT story_items_pkey PRIMARY KEY (story_id, item_id)
);

CREATE INDEX IF NOT EXISTS story_items_item_id_idx ON story_items (item_id);

COMMENT ON TABLE story_items IS 'Maps a story to its items (at most one story per item by construction; see dq_duplicates).';
