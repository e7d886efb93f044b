-- 0004_fetch_log.sql
--
-- What: `fetch_log`, one row per fetch request (FetchRequest.request_id): outcome, HTTP status,
--       bytes, latency, items seen/new, error. An append-only fact table written by the loader
--       from `source.events`.
--
-- Why:  error rates, latency and volume per source (dq_error_rates, `tributary status`), and the
--       audit trail behind sources.last_error. Natural key request_id, so redelivery and replay
--       never duplicate a row:
--
--         INSERT INTO fetch_log (request_id, source_id, url, status, outcome, error_class, error,
--                                bytes, latency_ms, fetched_at)
--         VALUES (...) ON CONFLICT (request_id) DO NOTHING;
--
--       Caveat for the loader (proto/tributary/v1/source_event.proto): one 2xx request yields
--       TWO SourceEvents with the same request_id -- the fetcher's FetchResult and the parser's
--       ParseResult (items_seen, format, children) -- in no guaranteed order. Plain DO NOTHING
--       would drop whichever arrives second. Write both with "fill what is still NULL", which is
--       just as idempotent and order-independent (each event only supplies the columns it knows,
--       NULL for the others; a parse event implies outcome 'ok', since only 2xx documents reach
--       the parser):
--
--         INSERT INTO fetch_log AS f (...) VALUES (...)
--         ON CONFLICT (request_id) DO UPDATE SET
--             status      = coalesce(f.status,      excluded.status),
--             bytes       = coalesce(f.bytes,       excluded.bytes),
--             latency_ms  = coalesce(f.latency_ms,  excluded.latency_ms),
--             error_class = coalesce(f.error_class, excluded.error_class),
--             error       = coalesce(f.error,       excluded.error),
--             items_seen  = coalesce(f.items_seen,  excluded.items_seen),
--             items_new   = coalesce(f.items_new,   excluded.items_new),
--             children    = coalesce(f.children,    excluded.children),
--             format      = coalesce(f.format,      excluded.format),
--             parse_ok    = coalesce(f.parse_ok,    excluded.parse_ok)
--          WHERE (f.status IS NULL AND excluded.status IS NOT NULL)
--             OR (f.items_seen IS NULL AND excluded.items_seen IS NOT NULL)
--             OR (f.parse_ok IS NULL AND excluded.parse_ok IS NOT NULL);
--
--       items_new is NULL when unknown (neither fetcher nor parser can know what is new; only the
--       loader sees inserts).
--
-- FK decision: source_id has NO foreign key, only an index. fetch_log is history: it should
--       outlive a deleted source (audit), a source.events message racing a `sources` delete must
--       not fail the insert (that would be a permanent error for a valid fact), and ON DELETE
--       SET NULL would rewrite every log row of a deleted source in one transaction. Rows whose
--       source_id no longer exists are simply orphans; dq_error_rates shows them with a NULL url.
--
-- Growth: this table grows by one row per fetch. When it gets large, convert it to a table
--       partitioned by month on fetched_at (dropping old months is then instant). That needs a
--       new primary key that includes the partition key, (request_id, fetched_at), so the
--       conflict target becomes (request_id, fetched_at) -- fine, since fetched_at is a fact of
--       the request and identical on redelivery. It is not partitioned now because PRIMARY KEY
--       (request_id) alone is not allowed on a partitioned table.
--
-- Rollback:
--   DROP VIEW IF EXISTS dq_error_rates;   -- from 0005, if applied
--   DROP TABLE IF EXISTS fetch_log;

CREATE TABLE IF NOT EXISTS fetch_log (
  request_id  text        NOT NULL,
  source_id   bigint,
  url         text        NOT NULL,
  status      integer,
  outcome     text        NOT NULL,
  error_class text,
  error       text,
  bytes       bigint,
  latency_ms  integer,
  items_seen  integer,
  items_new   integer,
  children    integer,
  format      text,
  parse_ok    boolean,
  fetched_at  timestamptz NOT NULL,
  loaded_at   timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT fetch_log_pkey PRIMARY KEY (request_id),
  CONSTRAINT fetch_log_request_id_nonempty CHECK (length(request_id) > 0),
  -- Shape only, not a closed list: a new outcome from a newer fetcher must not turn valid facts
  -- into loader failures. Known values: ok, not_modified, http_error, network_error, refused,
  -- too_large (FetchOutcome in source_event.proto, lower-cased without the prefix).
  CONSTRAINT fetch_log_outcome_shape CHECK (outcome ~ '^[a-z][a-z0-9_]*$'),
  CONSTRAINT fetch_log_bytes_nonneg      CHECK (bytes IS NULL OR bytes >= 0),
  CONSTRAINT fetch_log_latency_nonneg    CHECK (latency_ms IS NULL OR latency_ms >= 0),
  CONSTRAINT fetch_log_items_seen_nonneg CHECK (items_seen IS NULL OR items_seen >= 0),
  CONSTRAINT fetch_log_items_new_nonneg  CHECK (items_new IS NULL OR items_new >= 0),
  CONSTRAINT fetch_log_children_nonneg   CHECK (children IS NULL OR children >= 0)
);

CREATE INDEX IF NOT EXISTS fetch_log_source_fetched_at_idx ON fetch_log (source_id, fetched_at DESC);
CREATE INDEX IF NOT EXISTS fetch_log_fetched_at_idx        ON fetch_log (fetched_at);

COMMENT ON TABLE  fetch_log IS
  'One row per fetch request (append-only fact, natural key request_id). No FK to sources on purpose: history outlives a deleted source.';
COMMENT ON COLUMN fetch_log.outcome IS 'ok, not_modified, http_error, network_error, refused, too_large (lower-case FetchOutcome).';
COMMENT ON COLUMN fetch_log.status IS 'HTTP status; NULL when there was no HTTP response (network error, refused).';
COMMENT ON COLUMN fetch_log.error_class IS 'Short class such as dns, tls, timeout, http_404, parse; NULL when fine.';
COMMENT ON COLUMN fetch_log.items_seen IS 'Items the parser found in the document (from the ParseResult event).';
COMMENT ON COLUMN fetch_log.items_new IS 'Items that were new to the database; NULL when unknown.';
COMMENT ON COLUMN fetch_log.parse_ok IS 'Whether the parser could read the document (NULL: not parsed / not yet known).';
COMMENT ON COLUMN fetch_log.fetched_at IS 'Fetch time (SourceEvent.observed_at); the partition key if this table is ever partitioned.';
