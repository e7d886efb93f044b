-- 0017_item_articles.sql
--
-- What: the article columns of items: the state of the item's full-text fetch and what was
--       merged from the linked page.
--
-- Why:  issue 19. A feed that carries a summary gives a thin search index; with a source's
--       full_text setting the parser asks for each new or changed item's page, the loader
--       records the wish (article_state 'wanted') in the upsert that stores the version, the
--       scheduler turns wanted rows into page fetches ('requested'), and the loader merges the
--       extracted text into the same row ('done': content_text becomes the page's text, the
--       feed's own text stays in summary) or records that the fetch failed ('failed').
--       Because the wish is written in the version's own transaction, a crash anywhere loses
--       no article and a redelivered item asks for nothing again: an unchanged item is not
--       rewritten. article_hash is the merged text's hash (the article Item's content_hash):
--       a redelivered article is a no-op. Nullable columns without defaults: adding them
--       rewrites nothing.
--
--       article_state: NULL (no article wanted), 'wanted', 'requested', 'done', 'failed'.
--       The loader writes 'wanted', 'done' and 'failed'; the scheduler writes 'requested' and
--       asks again (article_attempts, up to 3) when a request got no outcome within its lease
--       (a crash between the commit and the produce, a page lost to a DLQ).
--
-- Rollback (roll back 0018 first):
--   ALTER TABLE items DROP COLUMN IF EXISTS article_state, DROP COLUMN IF EXISTS
--     article_requested_at, DROP COLUMN IF EXISTS article_attempts, DROP COLUMN IF EXISTS article_fetched_at, DROP COLUMN IF EXISTS
--     article_url, DROP COLUMN IF EXISTS article_request_id, DROP COLUMN IF EXISTS article_hash,
--     DROP COLUMN IF EXISTS article_error;

ALTER TABLE items
  ADD COLUMN IF NOT EXISTS article_state text,
  ADD COLUMN IF NOT EXISTS article_requested_at timestamptz,
  ADD COLUMN IF NOT EXISTS article_attempts integer,
  ADD COLUMN IF NOT EXISTS article_fetched_at timestamptz,
  ADD COLUMN IF NOT EXISTS article_url text,
  ADD COLUMN IF NOT EXISTS article_request_id text,
  ADD COLUMN IF NOT EXISTS article_hash bytea,
  ADD COLUMN IF NOT EXISTS article_error text;

COMMENT ON COLUMN items.article_state IS
  'Full-text fetch of the item''s page: NULL (not wanted), wanted, requested, done, failed.';
COMMENT ON COLUMN items.article_hash IS
  'SHA-256 of the merged page text (the article Item''s content_hash); NULL before a merge.';
