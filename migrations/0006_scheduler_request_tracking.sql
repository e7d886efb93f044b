-- 0006_scheduler_request_tracking.sql
--
-- What: sources.last_request_id, the request_id of the FetchRequest the scheduler emitted last
--       (a scheduling column, owned by the scheduler), and an index on fetch_log to find it.
--
-- Why:  the scheduler leases a source while its fetch is in flight and recomputes next_fetch_at
--       once the outcome is loaded. Matching the outcome by request id (fetch_log's natural key)
--       is exact; comparing fetch times with the time of scheduling would depend on the clocks
--       of two machines agreeing.
--
-- Rollback:
--   ALTER TABLE sources DROP COLUMN IF EXISTS last_request_id;

ALTER TABLE sources ADD COLUMN IF NOT EXISTS last_request_id text;

COMMENT ON COLUMN sources.last_request_id IS
  'request_id of the last FetchRequest the scheduler emitted; its fetch_log row ends the lease. Owned by the scheduler.';
