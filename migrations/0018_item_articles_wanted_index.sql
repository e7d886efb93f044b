-- tributary:no-transaction
-- 0018_item_articles_wanted_index.sql
--
-- What: items_article_wanted_idx, a partial index of the items whose article is wanted or
--       requested and not yet merged.
--
-- Why:  issue 19. The scheduler reads these rows every round (the wanted ones, and requested
--       ones whose request got no outcome); the index holds only them (a handful at a time), so the read costs nothing however many items there are. Built
--       CONCURRENTLY: the loader keeps writing.
--
-- Rollback:
--   DROP INDEX CONCURRENTLY IF EXISTS items_article_wanted_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS items_article_wanted_idx
  ON items (id) WHERE article_state IN ('wanted', 'requested');
