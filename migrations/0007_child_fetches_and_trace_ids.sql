-- 0007_child_fetches_and_trace_ids.sql
--
-- What: fetch_log.parent_request_id (the request that discovered a child fetch: a sitemap's
--       page), item_embeddings.request_id (the fetch a vector came from, like items.request_id),
--       and an index to find a request's children.
--
-- Why:  a child fetch carries its parent source's source_id but is an outcome of its own: it must
--       never change the source's validators, failures or schedule (DESIGN §4). The loader now
--       writes child outcomes to fetch_log alone; parent_request_id lets an operator see which
--       pages a sitemap fetch led to and which of them failed. request_id on item_embeddings
--       completes the trail from one FetchRequest to every row it produced (items, vectors,
--       fetch_log), which is how a trace is followed from Kafka to the tables.
--
-- Rollback:
--   DROP INDEX IF EXISTS fetch_log_parent_request_id_idx;
--   ALTER TABLE fetch_log DROP COLUMN IF EXISTS parent_request_id;
--   ALTER TABLE item_embeddings DROP COLUMN IF EXISTS request_id;

ALTER TABLE fetch_log ADD COLUMN IF NOT EXISTS parent_request_id text;
ALTER TABLE item_embeddings ADD COLUMN IF NOT EXISTS request_id text;

CREATE INDEX IF NOT EXISTS fetch_log_parent_request_id_idx ON fetch_log (parent_request_id)
  WHERE parent_request_id IS NOT NULL;

COMMENT ON COLUMN fetch_log.parent_request_id IS
  'For a child fetch (a page listed in a sitemap): the request that discovered it. NULL for a source''s own fetch, whose outcome alone updates sources.';
COMMENT ON COLUMN item_embeddings.request_id IS
  'request_id of the fetch whose item version this vector was made from (as items.request_id).';
