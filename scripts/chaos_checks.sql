-- What scripts/chaos.sh checks after the chaos, against chaos_served (the feed server's
-- /admin/manifest: feed URL, entry id, link, summary-only) loaded into the scratch database.
-- One line per check: name | what was found | what must be found. :'round1' is when the first
-- round started.
WITH served AS (
  SELECT m.*, s.id AS source_id,
         -- The fetcher strips tracking parameters; the demo's links carry one.
         regexp_replace(m.link, '\?utm_source=feed$', '') AS canonical,
         -- The one article page the feed server answers with 404 (feed_server.py).
         CASE WHEN m.link LIKE '%/articles/7/1?%' THEN 'failed' ELSE 'done' END AS article
    FROM chaos_served m JOIN sources s ON s.url = m.feed_url
),
landed AS (
  SELECT i.*, s.url AS feed_url FROM items i JOIN sources s ON s.id = i.source_id
)
SELECT 'feeds registered', count(DISTINCT source_id), (SELECT count(DISTINCT feed_url) FROM chaos_served)
  FROM served
UNION ALL
SELECT 'items', (SELECT count(*) FROM items), count(*) FROM served
UNION ALL
SELECT 'missing items (served, not landed)', count(*), 0 FROM served e
 WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.source_id = e.source_id
                                           AND i.external_id = e.external_id)
UNION ALL
SELECT 'unexpected items (landed, never served)', count(*), 0 FROM landed i
 WHERE NOT EXISTS (SELECT 1 FROM served e WHERE e.source_id = i.source_id
                                            AND e.external_id = i.external_id)
UNION ALL
SELECT 'duplicates by natural key', count(*) - count(DISTINCT (source_id, external_id)), 0
  FROM items
UNION ALL
SELECT 'duplicates by link (per source)', coalesce(sum(n - 1), 0), 0
  FROM (SELECT count(*) AS n FROM items GROUP BY source_id, url) d
UNION ALL
SELECT 'duplicates by canonical URL (per source)', coalesce(sum(n - 1), 0), 0
  FROM (SELECT count(*) AS n FROM items GROUP BY source_id, canonical_url) d
UNION ALL
SELECT 'canonical URLs as served', count(*), 0 FROM served e JOIN items i
    ON i.source_id = e.source_id AND i.external_id = e.external_id
 WHERE i.canonical_url IS DISTINCT FROM e.canonical
UNION ALL
SELECT 'items without an embedding', count(*), 0 FROM items i
 WHERE NOT EXISTS (SELECT 1 FROM item_embeddings v WHERE v.item_id = i.id)
UNION ALL
SELECT 'embeddings of no item', count(*), 0 FROM item_embeddings v
 WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = v.item_id)
UNION ALL
SELECT 'stories (one per canonical URL)', (SELECT count(*) FROM stories),
       count(DISTINCT canonical) FROM served
UNION ALL
SELECT 'items not in exactly one story', count(*), 0 FROM items i
 WHERE (SELECT count(*) FROM story_items si WHERE si.item_id = i.id) <> 1
UNION ALL
SELECT 'stories whose item_count is not their items', count(*), 0 FROM stories st
 WHERE st.item_count <> (SELECT count(*) FROM story_items si WHERE si.story_id = st.id)
UNION ALL
SELECT 'stories holding other canonical URLs', count(*), 0 FROM story_items si
  JOIN stories st ON st.id = si.story_id JOIN items i ON i.id = si.item_id
 WHERE i.canonical_url IS DISTINCT FROM st.canonical_url
UNION ALL
SELECT 'dq_duplicates rows', count(*), 0 FROM dq_duplicates
UNION ALL
SELECT 'articles merged (or failed where served 404)', count(*) FILTER (
         WHERE i.article_state IS NOT DISTINCT FROM e.article), count(*)
  FROM served e JOIN items i ON i.source_id = e.source_id AND i.external_id = e.external_id
 WHERE e.summary
UNION ALL
SELECT 'feeds not fetched exactly once in round 1', count(*), 0 FROM sources s
 WHERE (SELECT count(*) FROM fetch_log f WHERE f.source_id = s.id
           AND f.parent_request_id IS NULL AND f.fetched_at >= :'round1') <> 1
UNION ALL
SELECT 'article page fetches (one per summary-only entry)', count(*),
       (SELECT count(*) FROM chaos_served WHERE summary)
  FROM fetch_log WHERE parent_request_id IS NOT NULL;
