-- 0001_extensions_and_sources.sql
--
-- What: installs pgvector, a shared updated_at trigger function, and the `sources` table
--       (one row per thing we fetch: a feed, sitemap, JSON API or page).
--
-- Why:  every later table hangs off `sources`. Natural key is `url` so `tributary sources add`
--       and OPML import are idempotent upserts (INSERT ... ON CONFLICT (url) ...).
--       Columns are grouped by the one writer that owns them (DESIGN §1):
--         * configuration  -- the CLI:       url, kind, name, enabled, fetch_interval, config
--         * scheduling     -- the scheduler: next_fetch_at, lease_until, last_scheduled_at
--         * outcome        -- the loader:    etag, last_modified, last_*, consecutive_failures,
--                                            retry_after_until, server_max_age,
--                                            items_last_seen_at, observed_at
--       The loader applies SourceEvents monotonically:
--         UPDATE sources SET ... WHERE id = $1
--           AND (observed_at IS NULL OR observed_at <= $observed_at)
--       (<= not <: the fetch event and the parse event of one request share observed_at and
--       must both apply; a replayed older event is a no-op).
--
-- Notes: CREATE EXTENSION vector needs a role allowed to create it (superuser, or the database
--        owner on a server where an admin has pre-installed it). pgvector is not a "trusted"
--        extension. If the extension already exists this is a no-op for any role.
--        updated_at is maintained by a trigger on sources (a low-volume table written by three
--        owners and by humans); high-volume tables set their timestamps in the upsert instead.
--
-- Rollback (roll back 0002..0005 first; this destroys all data):
--   DROP TABLE IF EXISTS sources CASCADE;
--   DROP FUNCTION IF EXISTS tributary_set_updated_at();
--   DROP EXTENSION IF EXISTS vector;   -- only if nothing else in the database uses it

CREATE EXTENSION IF NOT EXISTS vector;

-- Generic BEFORE UPDATE trigger: stamps updated_at with the transaction time.
CREATE OR REPLACE FUNCTION tributary_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TABLE IF NOT EXISTS sources (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- configuration (CLI)
  url                  text        NOT NULL,
  kind                 text        NOT NULL DEFAULT 'auto',
  name                 text,
  enabled              boolean     NOT NULL DEFAULT true,
  fetch_interval       interval    NOT NULL DEFAULT interval '30 minutes',
  config               jsonb       NOT NULL DEFAULT '{}'::jsonb,
  -- conditional-GET validators (loader)
  etag                 text,
  last_modified        text,
  -- scheduling (scheduler)
  next_fetch_at        timestamptz NOT NULL DEFAULT now(),
  lease_until          timestamptz,
  last_scheduled_at    timestamptz,
  -- outcome of the latest fetch/parse (loader)
  last_fetched_at      timestamptz,
  last_status          integer,
  last_success_at      timestamptz,
  consecutive_failures integer     NOT NULL DEFAULT 0,
  last_error           text,
  last_error_class     text,
  retry_after_until    timestamptz,
  server_max_age       interval,
  items_last_seen_at   timestamptz,
  observed_at          timestamptz,
  -- bookkeeping
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT sources_url_key UNIQUE (url),
  CONSTRAINT sources_url_http CHECK (url ~* '^https?://'),
  CONSTRAINT sources_kind_check
    CHECK (kind IN ('auto', 'rss', 'atom', 'jsonfeed', 'sitemap', 'json_api', 'page')),
  CONSTRAINT sources_fetch_interval_positive CHECK (fetch_interval > interval '0'),
  CONSTRAINT sources_config_object CHECK (jsonb_typeof(config) = 'object'),
  CONSTRAINT sources_consecutive_failures_nonneg CHECK (consecutive_failures >= 0),
  CONSTRAINT sources_server_max_age_nonneg
    CHECK (server_max_age IS NULL OR server_max_age >= interval '0')
);

-- The scheduler's due-work query:
--   SELECT ... FROM sources
--    WHERE enabled AND next_fetch_at <= now()
--      AND (lease_until IS NULL OR lease_until < now())
--    ORDER BY next_fetch_at LIMIT $n FOR UPDATE SKIP LOCKED;
CREATE INDEX IF NOT EXISTS sources_next_fetch_at_enabled_idx
  ON sources (next_fetch_at) WHERE enabled;

CREATE OR REPLACE TRIGGER sources_set_updated_at
  BEFORE UPDATE ON sources
  FOR EACH ROW EXECUTE FUNCTION tributary_set_updated_at();

COMMENT ON TABLE  sources IS
  'Things tributary fetches. Natural key: url. Config columns owned by the CLI, scheduling columns by the scheduler, outcome columns by the loader.';
COMMENT ON COLUMN sources.url IS 'Natural key; must start with http:// or https:// (scheme case-insensitive).';
COMMENT ON COLUMN sources.kind IS 'Declared kind; auto = let the parser sniff. The parser detects the real format from content anyway.';
COMMENT ON COLUMN sources.config IS
  'Per-source options (JSON object): JSON API field mapping, robots (bool), sitemap pages, max depth, ...';
COMMENT ON COLUMN sources.fetch_interval IS 'Base interval between fetches; the scheduler adapts it (max-age, Retry-After, backoff, item rate).';
COMMENT ON COLUMN sources.etag IS 'Validator from the last 2xx/304, sent as If-None-Match. Owned by the loader.';
COMMENT ON COLUMN sources.last_modified IS 'Validator from the last 2xx/304, sent as If-Modified-Since (kept verbatim). Owned by the loader.';
COMMENT ON COLUMN sources.next_fetch_at IS 'When the source is due next. Owned by the scheduler.';
COMMENT ON COLUMN sources.lease_until IS 'Scheduler lease: a FetchRequest is in flight until then. Owned by the scheduler.';
COMMENT ON COLUMN sources.last_scheduled_at IS 'When the scheduler last emitted a FetchRequest. Owned by the scheduler.';
COMMENT ON COLUMN sources.last_success_at IS 'Fetch time of the last 2xx or 304 outcome. Owned by the loader.';
COMMENT ON COLUMN sources.consecutive_failures IS 'Failed fetches since the last success (drives capped exponential backoff). Owned by the loader.';
COMMENT ON COLUMN sources.retry_after_until IS 'Do not fetch before this (from Retry-After). Owned by the loader, honoured by the scheduler.';
COMMENT ON COLUMN sources.server_max_age IS 'Cache-Control max-age / Expires of the last response. Owned by the loader, honoured by the scheduler.';
COMMENT ON COLUMN sources.items_last_seen_at IS 'When a new item was last seen for this source (feeds the adaptive interval). Owned by the loader.';
COMMENT ON COLUMN sources.observed_at IS
  'Fetch time of the last outcome applied: the monotonic guard (apply an event only if observed_at IS NULL OR observed_at <= event.observed_at).';
