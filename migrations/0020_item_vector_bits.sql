-- 0020_item_vector_bits.sql
--
-- What: item_vector_bits, every stored vector of an item (each passage's, from item_chunks,
--       and the item's own, from item_embeddings, as chunk -1) reduced to one bit per
--       dimension (pgvector's binary_quantize: the sign), beside the item's source and date,
--       in two B-trees that hold everything a filtered search reads: by source (then date) and
--       by date. Triggers keep it in step with item_chunks, item_embeddings and the items'
--       dates; this migration fills it for the rows already there.
--
-- Why:  issue 18: a search filtered by source or date that leaves few items (1-5 % of a million)
--       was 190-330 ms at p95 (bench/search). An HNSW walk under such a filter visits about
--       candidates / selectivity vectors and reads each one's row to test the filter; comparing
--       the filtered items' vectors one by one reads every one of their rows, at random in
--       a table of several GB. Here the filtered rows sit together in an index, ~60 bytes each
--       for 384 dimensions (not the vector's 1,536): tributary_search (0022) ranks them by
--       Hamming distance with an index-only scan and compares only the best few hundred with
--       their full vectors.
--
-- Example:
--   SELECT item_id, chunk FROM item_vector_bits
--    WHERE model_id = 1 AND source_id = ANY ('{4,7}') ORDER BY bits <~> binary_quantize($1)
--    LIMIT 400;
--
-- Rollback:
--   DROP TRIGGER IF EXISTS item_vector_bits_date ON items;
--   DROP TRIGGER IF EXISTS item_vector_bits_item ON item_embeddings;
--   DROP TRIGGER IF EXISTS item_vector_bits_chunk ON item_chunks;
--   DROP FUNCTION IF EXISTS tributary_vector_bits_sync(), tributary_vector_bits_date();
--   DROP TABLE IF EXISTS item_vector_bits;

CREATE TABLE IF NOT EXISTS item_vector_bits (
  item_id           bigint      NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  model_id          integer     NOT NULL,
  chunk             integer     NOT NULL,  -- the passage's number; -1: the item's own vector
  source_id         bigint      NOT NULL,
  published_or_seen timestamptz NOT NULL,  -- coalesce(published_at, first_seen_at): the filter's
  bits              bit varying NOT NULL,

  CONSTRAINT item_vector_bits_pkey PRIMARY KEY (item_id, model_id, chunk)
);

COMMENT ON TABLE item_vector_bits IS
  'Each stored vector of an item (passages; chunk -1: the item''s own) as bits, with the item''s source and date, for filtered searches (see 0020). Kept by triggers.';

-- A passage's row (item_chunks) or an item's own vector (item_embeddings, chunk -1) was
-- written or removed: so is its bits' row, with the item's columns the filters read.
CREATE OR REPLACE FUNCTION tributary_vector_bits_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  n integer := -1;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF TG_TABLE_NAME = 'item_chunks' THEN n := OLD.chunk; END IF;
    DELETE FROM item_vector_bits b
     WHERE b.item_id = OLD.item_id AND b.model_id = OLD.model_id AND b.chunk = n;
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'item_chunks' THEN n := NEW.chunk; END IF;
  INSERT INTO item_vector_bits AS b
         (item_id, model_id, chunk, source_id, published_or_seen, bits)
  SELECT i.id, NEW.model_id, n, i.source_id, coalesce(i.published_at, i.first_seen_at),
         binary_quantize(NEW.embedding)
    FROM items i WHERE i.id = NEW.item_id
  ON CONFLICT (item_id, model_id, chunk) DO UPDATE SET bits = EXCLUDED.bits;
  RETURN NULL;
END
$$;

-- An item's date changes (a feed corrects published_at): its vectors' rows follow.
CREATE OR REPLACE FUNCTION tributary_vector_bits_date() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE item_vector_bits b SET published_or_seen = coalesce(NEW.published_at, NEW.first_seen_at)
   WHERE b.item_id = NEW.id;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS item_vector_bits_chunk ON item_chunks;
CREATE TRIGGER item_vector_bits_chunk
  AFTER INSERT OR DELETE OR UPDATE OF embedding ON item_chunks
  FOR EACH ROW EXECUTE FUNCTION tributary_vector_bits_sync();

DROP TRIGGER IF EXISTS item_vector_bits_item ON item_embeddings;
CREATE TRIGGER item_vector_bits_item
  AFTER INSERT OR DELETE OR UPDATE OF embedding ON item_embeddings
  FOR EACH ROW EXECUTE FUNCTION tributary_vector_bits_sync();

DROP TRIGGER IF EXISTS item_vector_bits_date ON items;
CREATE TRIGGER item_vector_bits_date
  AFTER UPDATE OF published_at, first_seen_at ON items
  FOR EACH ROW
  WHEN (coalesce(OLD.published_at, OLD.first_seen_at)
        IS DISTINCT FROM coalesce(NEW.published_at, NEW.first_seen_at))
  EXECUTE FUNCTION tributary_vector_bits_date();

-- The rows already there. The triggers above hold writes to the three tables until this
-- transaction commits, so none is missed.
INSERT INTO item_vector_bits (item_id, model_id, chunk, source_id, published_or_seen, bits)
SELECT c.item_id, c.model_id, c.chunk, i.source_id, coalesce(i.published_at, i.first_seen_at),
       binary_quantize(c.embedding)
  FROM item_chunks c JOIN items i ON i.id = c.item_id
UNION ALL
SELECT e.item_id, e.model_id, -1, i.source_id, coalesce(i.published_at, i.first_seen_at),
       binary_quantize(e.embedding)
  FROM item_embeddings e JOIN items i ON i.id = e.item_id
ON CONFLICT (item_id, model_id, chunk) DO NOTHING;

-- Everything a filtered search reads, so it is an index-only scan: by source (and date), and by
-- date alone.
CREATE INDEX IF NOT EXISTS item_vector_bits_source_idx
  ON item_vector_bits (model_id, source_id, published_or_seen) INCLUDE (item_id, chunk, bits);
CREATE INDEX IF NOT EXISTS item_vector_bits_date_idx
  ON item_vector_bits (model_id, published_or_seen) INCLUDE (source_id, item_id, chunk, bits);
ANALYZE item_vector_bits;
