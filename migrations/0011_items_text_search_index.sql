-- tributary:no-transaction
-- 0011_items_text_search_index.sql
--
-- What: items_text_search_idx, the GIN index of tributary_item_document (0010) over items.
--
-- Why:  full-text and hybrid search (issue 18). Built CONCURRENTLY, so that migrating a
--       populated database does not block the loader's writes while it builds: this file runs
--       outside a transaction (the marker on its first line, migrations/migrator.hpp). If the
--       build is interrupted, PostgreSQL leaves an INVALID index of that name; the next
--       `tributary migrate` drops it and builds it again.
--
-- Rollback:
--   DROP INDEX CONCURRENTLY IF EXISTS items_text_search_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS items_text_search_idx
  ON items USING gin (tributary_item_document(language, title, summary, content_text));
