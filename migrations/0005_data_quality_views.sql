-- 0005_data_quality_views.sql
--
-- What: read-only data-quality views used by `tributary status`, dashboards and humans:
--         dq_source_freshness  per source: last success, its age, failures, newest item, stale flag
--         dq_rows_per_day      items first seen per UTC day per source (last 30 days, with zeros)
--                              and the delta vs the previous day
--         dq_duplicates        checks that should return no rows (or few, to investigate)
--         dq_error_rates       per source over the last 24 h from fetch_log
--
-- Why:  DESIGN §5 (freshness per source, row-count deltas, duplicate checks, error rates). Views
--       hold no data, so they are cheap to change: a later migration that changes a view's
--       columns must DROP VIEW ... and re-create it (CREATE OR REPLACE VIEW can only append
--       columns).
--
-- Example queries:
--   -- enabled sources that have not succeeded within 3x their interval, worst first
--   SELECT source_id, url, success_age, consecutive_failures, last_error_class, last_error
--     FROM dq_source_freshness WHERE stale ORDER BY success_age DESC NULLS FIRST;
--
--   -- sources whose intake dropped to zero today although they produced yesterday
--   SELECT a.source_id, a.url, b.items_first_seen AS yesterday
--     FROM dq_rows_per_day a JOIN dq_rows_per_day b
--       ON b.source_id = a.source_id AND b.day = a.day - 1
--    WHERE a.day = (now() AT TIME ZONE 'UTC')::date AND a.items_first_seen = 0 AND b.items_first_seen > 0;
--
--   -- total intake per day
--   SELECT day, sum(items_first_seen) FROM dq_rows_per_day GROUP BY day ORDER BY day;
--
--   -- longer history than 30 days: query items directly
--   SELECT (first_seen_at AT TIME ZONE 'UTC')::date AS day, count(*) FROM items
--    WHERE source_id = 42 GROUP BY 1 ORDER BY 1;
--
--   -- duplicate checks, summarised (an empty result is the healthy state)
--   SELECT check_name, count(*) FROM dq_duplicates GROUP BY check_name;
--
--   -- the 20 sources with the worst error rate (at least 5 fetches in 24 h)
--   SELECT source_id, url, fetches, errors, error_rate, top_error_class
--     FROM dq_error_rates WHERE fetches >= 5 ORDER BY error_rate DESC LIMIT 20;
--
-- Rollback:
--   DROP VIEW IF EXISTS dq_error_rates;
--   DROP VIEW IF EXISTS dq_duplicates;
--   DROP VIEW IF EXISTS dq_rows_per_day;
--   DROP VIEW IF EXISTS dq_source_freshness;

-- Freshness per source. stale = enabled and no success (2xx/304) within 3x fetch_interval; a source
-- that never succeeded is measured from created_at, so a new source gets the same grace period.
-- newest_item_observed_at uses items (source_id, observed_at): one index probe per source.
CREATE OR REPLACE VIEW dq_source_freshness AS
SELECT s.id                                 AS source_id,
       s.url,
       s.name,
       s.kind,
       s.enabled,
       s.fetch_interval,
       s.last_fetched_at,
       s.last_success_at,
       now() - s.last_success_at            AS success_age,
       s.consecutive_failures,
       s.last_status,
       s.last_error_class,
       s.last_error,
       s.next_fetch_at,
       s.items_last_seen_at,
       n.newest_item_observed_at,
       now() - n.newest_item_observed_at    AS newest_item_age,
       (s.enabled
        AND coalesce(s.last_success_at, s.created_at) < now() - 3 * s.fetch_interval) AS stale
  FROM sources s
  LEFT JOIN LATERAL (
         SELECT max(i.observed_at) AS newest_item_observed_at
           FROM items i
          WHERE i.source_id = s.id
       ) n ON true;

COMMENT ON VIEW dq_source_freshness IS
  'Per source: last success and its age, consecutive failures, newest item observed, stale = enabled and no success within 3x fetch_interval.';

-- Items first seen per UTC day per source for the last 30 days (today included, days with no items
-- shown as 0), plus the change vs the previous day. The window keeps it cheap (items_first_seen_at_idx);
-- query items directly for longer history.
CREATE OR REPLACE VIEW dq_rows_per_day AS
WITH bounds AS (
  SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AS today_utc
), days AS (
  -- 31 days: the oldest one only feeds the first delta and is filtered out below
  SELECT d::date AS day
    FROM bounds b,
         generate_series(b.today_utc - interval '30 days', b.today_utc, interval '1 day') AS d
), counts AS (
  SELECT i.source_id,
         (i.first_seen_at AT TIME ZONE 'UTC')::date AS day,
         count(*) AS items_first_seen
    FROM items i
   -- a plain stable expression (not a join with bounds) so it can be an index condition
   WHERE i.first_seen_at >= (date_trunc('day', now() AT TIME ZONE 'UTC') - interval '30 days') AT TIME ZONE 'UTC'
   GROUP BY 1, 2
), series AS (
  SELECT s.id AS source_id,
         s.url,
         d.day,
         coalesce(c.items_first_seen, 0) AS items_first_seen,
         coalesce(c.items_first_seen, 0)
           - lag(coalesce(c.items_first_seen, 0)) OVER (PARTITION BY s.id ORDER BY d.day)
           AS delta_vs_previous_day
    FROM sources s
   CROSS JOIN days d
    LEFT JOIN counts c ON c.source_id = s.id AND c.day = d.day
)
SELECT source_id, url, day, items_first_seen, delta_vs_previous_day
  FROM series
 WHERE day > (SELECT min(day) FROM days);

COMMENT ON VIEW dq_rows_per_day IS
  'Items first seen per UTC day per source over the last 30 days (zeros included) and the delta vs the previous day.';

-- Checks that should come back empty. (source_id, external_id) cannot repeat (UNIQUE), so look
-- for the ways duplicates can still slip in:
--   canonical_url_in_source  one source has several external_ids for one canonical_url
--                            (a feed re-issuing guids, or unstable external_id derivation)
--   story_without_items      a story no item points to (left behind by deletes/moves)
--   item_in_several_stories  an item mapped to more than one story (canonical_url changed and the
--                            old mapping was not removed)
--   story_item_count_mismatch stories.item_count differs from its story_items rows
-- Columns: check_name, source_id, story_id, item_id (whichever apply), detail, n, ids (the rows
-- involved: item ids, or story ids for item_in_several_stories; first 10).
CREATE OR REPLACE VIEW dq_duplicates AS
SELECT 'canonical_url_in_source'::text            AS check_name,
       i.source_id                                AS source_id,
       NULL::bigint                               AS story_id,
       NULL::bigint                               AS item_id,
       i.canonical_url                            AS detail,
       count(*)                                   AS n,
       (array_agg(i.id ORDER BY i.id))[1:10]      AS ids
  FROM items i
 WHERE i.canonical_url IS NOT NULL
 GROUP BY i.source_id, i.canonical_url
HAVING count(*) > 1
UNION ALL
SELECT 'story_without_items', NULL, s.id, NULL, s.canonical_url, 0, '{}'::bigint[]
  FROM stories s
 WHERE NOT EXISTS (SELECT 1 FROM story_items si WHERE si.story_id = s.id)
UNION ALL
SELECT 'item_in_several_stories', NULL, NULL, si.item_id, NULL, count(*),
       (array_agg(si.story_id ORDER BY si.story_id))[1:10]
  FROM story_items si
 GROUP BY si.item_id
HAVING count(*) > 1
UNION ALL
SELECT 'story_item_count_mismatch', NULL, s.id, NULL,
       format('item_count=%s actual=%s', s.item_count, c.n), c.n, '{}'::bigint[]
  FROM stories s
  JOIN (SELECT story_id, count(*) AS n FROM story_items GROUP BY story_id) c ON c.story_id = s.id
 WHERE s.item_count <> c.n;

COMMENT ON VIEW dq_duplicates IS
  'Duplicate/consistency checks; the healthy state is no rows. See check_name for the kind.';

-- Error rates per source over the last 24 h. errors = fetches that gave no usable data: an
-- outcome other than ok/not_modified, or a document the parser could not read.
-- Rows with a NULL url belong to sources deleted since (fetch_log has no FK on purpose).
CREATE OR REPLACE VIEW dq_error_rates AS
SELECT f.source_id,
       s.url,
       s.name,
       count(*)                                                             AS fetches,
       count(*) FILTER (WHERE f.outcome NOT IN ('ok', 'not_modified')
                           OR f.parse_ok IS FALSE)                          AS errors,
       round((count(*) FILTER (WHERE f.outcome NOT IN ('ok', 'not_modified')
                                  OR f.parse_ok IS FALSE))::numeric
             / count(*), 4)                                                 AS error_rate,
       count(*) FILTER (WHERE f.outcome NOT IN ('ok', 'not_modified'))      AS fetch_errors,
       count(*) FILTER (WHERE f.parse_ok IS FALSE)                          AS parse_errors,
       count(*) FILTER (WHERE f.outcome = 'not_modified')                   AS not_modified,
       mode() WITHIN GROUP (ORDER BY f.error_class)
         FILTER (WHERE f.error_class IS NOT NULL)                           AS top_error_class,
       sum(f.bytes)                                                         AS bytes,
       percentile_cont(0.5)  WITHIN GROUP (ORDER BY f.latency_ms)           AS p50_latency_ms,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY f.latency_ms)           AS p95_latency_ms,
       sum(f.items_seen)                                                    AS items_seen,
       sum(f.items_new)                                                     AS items_new,
       max(f.fetched_at)                                                    AS last_fetched_at
  FROM fetch_log f
  LEFT JOIN sources s ON s.id = f.source_id
 WHERE f.fetched_at >= now() - interval '24 hours'
 GROUP BY f.source_id, s.url, s.name;

COMMENT ON VIEW dq_error_rates IS
  'Per source over the last 24 h of fetch_log: fetches, errors (bad outcome or unparseable), error_rate, latency percentiles, volume.';
