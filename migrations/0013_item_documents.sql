-- 0013_item_documents.sql
--
-- What: `item_documents`: each item's full-text document (tributary_item_document, 0010) stored
--       once, kept current by two statement-level triggers on items, and the procedure
--       tributary_fill_item_documents() that 0014 calls to fill it for items loaded before.
--
-- Why:  issue 18. Matching through 0011's expression index was fast, but ranking read every
--       match's document again from its text: to_tsvector of up to 100,000 characters per
--       matching row (a word in 5,000 of 6,000 demo items took 711 ms). Ranking a stored
--       tsvector costs microseconds. A stored generated column on items would do the same, but
--       adding one rewrites the whole items table under an exclusive lock; a side table is
--       created empty and filled in batches (0014) while the fleet keeps loading.
--       The triggers see each statement's rows at once (transition tables), so one
--       INSERT ... SELECT per loader statement, whatever its size, writes the documents; an
--       update that leaves title, text and language as they were (authors, dates, URLs) does
--       not touch the document. Any writer of items is covered, not only the loader.
--       Race with the fill: a row the fill reads before an update commits is written with
--       ON CONFLICT DO NOTHING, so the trigger's newer document wins either way.
--
-- Rollback (roll back 0014 and 0015 first):
--   DROP TRIGGER IF EXISTS items_documents_on_insert ON items;
--   DROP TRIGGER IF EXISTS items_documents_on_update ON items;
--   DROP FUNCTION IF EXISTS tributary_item_documents_written();
--   DROP PROCEDURE IF EXISTS tributary_fill_item_documents(integer);
--   DROP TABLE IF EXISTS item_documents;

CREATE TABLE IF NOT EXISTS item_documents (
  item_id  bigint   PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  document tsvector NOT NULL
);

COMMENT ON TABLE item_documents IS
  'Each item''s full-text document (tributary_item_document of its language, title and text), written by triggers on items; GIN-indexed by item_documents_document_idx (0014).';

CREATE OR REPLACE FUNCTION tributary_item_documents_written() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO item_documents AS d (item_id, document)
    SELECT n.id, tributary_item_document(n.language, n.title, n.summary, n.content_text)
      FROM written_rows n
    ON CONFLICT (item_id) DO UPDATE SET document = excluded.document
      WHERE d.document IS DISTINCT FROM excluded.document;
  ELSE
    INSERT INTO item_documents AS d (item_id, document)
    SELECT n.id, tributary_item_document(n.language, n.title, n.summary, n.content_text)
      FROM written_rows n JOIN previous_rows o ON o.id = n.id
     WHERE (n.language, n.title, n.summary, n.content_text)
           IS DISTINCT FROM (o.language, o.title, o.summary, o.content_text)
    ON CONFLICT (item_id) DO UPDATE SET document = excluded.document
      WHERE d.document IS DISTINCT FROM excluded.document;
  END IF;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS items_documents_on_insert ON items;
CREATE TRIGGER items_documents_on_insert AFTER INSERT ON items
  REFERENCING NEW TABLE AS written_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tributary_item_documents_written();

DROP TRIGGER IF EXISTS items_documents_on_update ON items;
CREATE TRIGGER items_documents_on_update AFTER UPDATE ON items
  REFERENCING OLD TABLE AS previous_rows NEW TABLE AS written_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tributary_item_documents_written();

-- Fills item_documents for the items that have none, `batch` items at a time in id order,
-- committing after each batch, so a loader whose trigger meets a row of the fill waits for one
-- batch at most. CALL it outside a transaction block (0014 does; inside one, COMMIT is refused).
-- Safe to run again: an item that has its document is skipped.
CREATE OR REPLACE PROCEDURE tributary_fill_item_documents(batch integer DEFAULT 5000)
LANGUAGE plpgsql AS $$
DECLARE
  after_id bigint := -1;
BEGIN
  LOOP
    WITH picked AS (
      SELECT i.id, i.language, i.title, i.summary, i.content_text
        FROM items i WHERE i.id > after_id ORDER BY i.id LIMIT batch
    ), filled AS (
      INSERT INTO item_documents (item_id, document)
      SELECT p.id, tributary_item_document(p.language, p.title, p.summary, p.content_text)
        FROM picked p
       WHERE NOT EXISTS (SELECT 1 FROM item_documents d WHERE d.item_id = p.id)
      ON CONFLICT (item_id) DO NOTHING
    )
    SELECT max(p.id) INTO after_id FROM picked p;
    EXIT WHEN after_id IS NULL;
    COMMIT;
  END LOOP;
END
$$;
