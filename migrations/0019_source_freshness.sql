-- 0019_source_freshness.sql
--
-- What: tributary_source_fresh(sources): whether a source was fetched within twice its
--       interval, a source never fetched counting from when it was added. The freshness
--       SLO's measure: the scheduler's tributary_scheduler_stale_sources gauge counts the
--       enabled sources for which it is false, `tributary status` (sources.fresh, and
--       `--check --min-fresh-percent`) those for which it is true, and the alert rules
--       (deploy/prometheus) read the gauge.
--
-- Why:  the rule was written out in both queries, so changing one would have let the gauge and
--       `status --check` disagree about the same sources. It is not dq_source_freshness.stale
--       (no success within 3x the interval): that one asks whether a source's data is current,
--       this one whether the scheduler keeps up (a failed fetch is still a fetch).
--       A SQL function of one expression: the planner inlines it into the queries.
--
-- Example:
--   SELECT id, url FROM sources s WHERE enabled AND NOT tributary_source_fresh(s);
--
-- Rollback:
--   DROP FUNCTION IF EXISTS tributary_source_fresh(sources);
CREATE OR REPLACE FUNCTION tributary_source_fresh(s sources) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(s.last_fetched_at, s.created_at) >= now() - 2 * s.fetch_interval
$$;

COMMENT ON FUNCTION tributary_source_fresh(sources) IS
  'Fetched within twice its interval (never fetched: counted from created_at): the freshness SLO (see 0019).';
