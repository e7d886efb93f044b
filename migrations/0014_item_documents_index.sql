-- tributary:no-transaction
-- 0014_item_documents_index.sql
--
-- What: fills item_documents (0013) for the items loaded before it, builds its GIN index, and
--       drops 0011's expression index, which nothing reads once 0015 searches item_documents.
--
-- Why:  issue 18 (text ranking from stored documents). Outside a transaction, so that the fill
--       commits batch by batch and the index builds CONCURRENTLY: a populated database keeps
--       taking the loader's writes meanwhile. Each statement is safe to run again: the fill
--       skips items that have their document, an INVALID index an interrupted build left is
--       dropped and built again (migrations/migrator.hpp).
--
-- Rollback (roll back 0015 first):
--   DROP INDEX CONCURRENTLY IF EXISTS item_documents_document_idx;
--   and build 0011's items_text_search_idx again.
CALL tributary_fill_item_documents();
CREATE INDEX CONCURRENTLY IF NOT EXISTS item_documents_document_idx
  ON item_documents USING gin (document);
DROP INDEX CONCURRENTLY IF EXISTS items_text_search_idx;
