-- tributary:no-transaction
-- 0016_items_published_or_seen_index.sql
--
-- What: items_published_or_seen_idx, a B-tree on the instant the search's date filters compare:
--       coalesce(published_at, first_seen_at).
--
-- Why:  issue 18. tributary_search (0015) asks the planner how many items --since/--until leave
--       (with --source) to choose between comparing their passages one by one and walking the
--       HNSW index; the index gives the planner statistics of that expression (after the
--       ANALYZE below) and gives the one-by-one plan its items of a short period (the last
--       day's) without reading the rest. Built CONCURRENTLY: the loader keeps writing.
--
-- Rollback:
--   DROP INDEX CONCURRENTLY IF EXISTS items_published_or_seen_idx;
CREATE INDEX CONCURRENTLY IF NOT EXISTS items_published_or_seen_idx
  ON items ((coalesce(published_at, first_seen_at)));
ANALYZE items;
