-- 0008_people_and_feeds.sql
--
-- What: items.author_details (each author's name, email and uri, in `authors` order) and a
--       `feeds` table: the metadata of the document a source points at (its id, title, link,
--       subtitle, language, updated time, authors with email/uri, categories, format).
--
-- Why:  feeds name their authors with addresses and homepages (RSS "email (Name)", Atom
--       <email>/<uri>, JSON Feed url) and describe themselves (Atom id, itunes:category,
--       subtitle ...); the parser keeps all of it and these columns are where it lands.
--       One feeds row per source, written by the loader from the parse outcome of the
--       source's own document (never a child fetch's), guarded like every row: only a newer
--       observation that changes something rewrites it.
--
-- Rollback:
--   DROP TABLE IF EXISTS feeds;
--   ALTER TABLE items DROP COLUMN IF EXISTS author_details;

ALTER TABLE items ADD COLUMN IF NOT EXISTS author_details jsonb NOT NULL DEFAULT '[]'::jsonb;

COMMENT ON COLUMN items.author_details IS
  'Authors as [{"name", "email", "uri"}] (any part may be empty), in the order of items.authors, which holds each one''s display name.';

CREATE TABLE IF NOT EXISTS feeds (
  source_id    bigint      PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
  feed_id      text,                       -- Atom id, RSS channel guid / dc:identifier, rdf:about
  title        text,
  link         text,
  subtitle     text,
  language     text,
  updated_at   timestamptz,                -- as the feed says (lastBuildDate, Atom updated)
  authors      jsonb       NOT NULL DEFAULT '[]'::jsonb,  -- [{"name", "email", "uri"}]
  categories   text[]      NOT NULL DEFAULT '{}',
  format       text,                       -- rss2, atom1, jsonfeed, html ...
  observed_at  timestamptz NOT NULL,       -- fetch time of the stored version: the guard
  request_id   text,
  loaded_at    timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE feeds IS
  'Metadata of each source''s own document, from its newest parse (one row per source).';
