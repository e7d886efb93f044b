#!/usr/bin/env bash
# The one command (README): on a fresh machine, installs what is missing, builds, starts Kafka and
# PostgreSQL + pgvector, serves a generated web of feeds on loopback, registers them, runs the
# whole fleet, waits until the pipeline has drained, and prints what arrived.
#
#   ./scripts/demo.sh               run it (safe to re-run: everything is an upsert)
#   ./scripts/demo.sh --prometheus  also run a real Prometheus (deploy/local/prometheus.sh) on
#                                   the fleet's /metrics with deploy/prometheus's rules, and check
#                                   that every target is up and every rule loaded and healthy
#   ./scripts/demo.sh --stop        stop the fleet, the feed server, Prometheus, Kafka, PostgreSQL
#
# Settings: TRIBUTARY_DEMO_FEEDS (300), TRIBUTARY_DEMO_ITEMS (20 per feed),
# TRIBUTARY_DEMO_PORT (28080), TRIBUTARY_DEMO_TIMEOUT (seconds to wait for the drain, 600),
# TRIBUTARY_DEMO_BUILD (1; 0 uses the binaries already in build/bin, skipping install and build),
# TRIBUTARY_DEMO_RUN_DIR (.local/run/demo: the feed server's pid file and log). Where it runs:
# TRIBUTARY_PG_DATABASE, TRIBUTARY_TOPIC_PREFIX, TRIBUTARY_FLEET_DIR (deploy/local/env.sh,
# fleet.sh), so a scratch demo can run beside your own data.
set -euo pipefail

repo="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$repo"
# shellcheck source=../deploy/local/lib.sh
source deploy/local/lib.sh
started_at=$SECONDS
feeds="${TRIBUTARY_DEMO_FEEDS:-300}"
items="${TRIBUTARY_DEMO_ITEMS:-20}"
port="${TRIBUTARY_DEMO_PORT:-28080}"
timeout_s="${TRIBUTARY_DEMO_TIMEOUT:-600}"
run_dir="${TRIBUTARY_DEMO_RUN_DIR:-$repo/.local/run/demo}"
feed_pid_file="$run_dir/feed_server.pid"
base="http://127.0.0.1:$port"

step() { printf '\n==> [%4ds] %s\n' $((SECONDS - started_at)) "$*"; }
die() { printf 'demo.sh: %s\n' "$*" >&2; exit 1; }
# pid_alive (lib.sh), not kill -0, which a not-yet-reaped zombie also passes.
feed_server_running() {
  local pid
  [[ -r $feed_pid_file ]] && read -r pid <"$feed_pid_file" && [[ $pid =~ ^[0-9]+$ ]] &&
    pid_alive "$pid"
}

if [[ ${1:-} == --stop ]]; then
  deploy/local/prometheus.sh stop
  deploy/local/fleet.sh stop
  if feed_server_running; then kill "$(cat "$feed_pid_file")"; rm -f "$feed_pid_file"; fi
  deploy/local/down.sh
  exit 0
fi
prometheus=0
[[ ${1:-} == --prometheus ]] && { prometheus=1; shift; }
[[ $# -eq 0 ]] || die "usage: scripts/demo.sh [--prometheus | --stop]"

if [[ ${TRIBUTARY_DEMO_BUILD:-1} != 0 ]]; then
  step "install (deploy/local/install.sh)"
  deploy/local/install.sh
  export CCACHE_DIR="${CCACHE_DIR:-$repo/.local/ccache}"

  step "build (cmake preset ci)"
  cmake --preset ci >/dev/null
  cmake --build --preset ci -j "$(nproc)"
fi

step "start Kafka and PostgreSQL (deploy/local/up.sh)"
deploy/local/up.sh
# shellcheck source=../deploy/local/env.sh
source deploy/local/env.sh
# The fleet's embedding (lib.sh): the sample search must embed its query with the same model.
use_default_embedding
tributary=build/bin/tributary

step "serve $feeds generated feeds on $base (deploy/local/feed_server.py)"
mkdir -p "$run_dir"
if ! feed_server_running; then
  python3 deploy/local/feed_server.py --port "$port" --feeds "$feeds" --items "$items" \
    --slow-seconds 40 >"$run_dir/feed_server.log" 2>&1 &
  echo $! >"$feed_pid_file"
fi
for _ in $(seq 50); do curl -sf "$base/opml" >/dev/null && break; sleep 0.1; done
curl -sf "$base/opml" >/dev/null || die "the feed server did not answer on $base (log $run_dir/feed_server.log)"

step "register the sources (tributary sources ...)"
curl -sf "$base/opml" | "$tributary" sources import-opml - --interval 30m --log-level warn
"$tributary" sources add "$base/sitemap_index.xml" --kind sitemap --name "Demo sitemap index" \
  --config '{"fetch_pages": true, "max_depth": 2}' --log-level warn
"$tributary" sources add "$base/broken/404" "$base/broken/500" "$base/broken/not-a-feed" \
  "$base/broken/slow" --name "Broken on purpose" --log-level warn
# A re-run starts a new round at once instead of waiting for the schedule; the drain below
# waits for that round, not for one an earlier run finished.
round_started=$(psql -qAtc "SELECT now()")
psql -qAtc "UPDATE sources SET next_fetch_at = now(), lease_until = NULL WHERE url LIKE '$base/%'"

step "start the fleet (deploy/local/fleet.sh start)"
# Every demo feed lives on one host (127.0.0.1): the per-host politeness meant for strangers'
# servers (2 requests/s) would make the demo crawl, so it is raised for our own server here.
export TRIBUTARY_PER_HOST_RATE="${TRIBUTARY_PER_HOST_RATE:-1000}"
export TRIBUTARY_PER_HOST_BURST="${TRIBUTARY_PER_HOST_BURST:-200}"
export TRIBUTARY_PER_HOST_CONCURRENCY="${TRIBUTARY_PER_HOST_CONCURRENCY:-32}"
deploy/local/fleet.sh start
if ((prometheus)); then
  step "start Prometheus on the fleet's /metrics (deploy/local/prometheus.sh)"
  deploy/local/prometheus.sh start
fi

step "wait until the pipeline has drained (timeout ${timeout_s}s)"
expected_sources=$(psql -qAtc "SELECT count(*) FROM sources WHERE enabled AND url LIKE '$base/%'")
drain_started=$SECONDS
last_items=-1
stable=0
while :; do
  read -r fetched item_count vectors articles_pending < <(psql -qAt -F ' ' -c "
    SELECT (SELECT count(*) FROM sources WHERE url LIKE '$base/%' AND last_fetched_at IS NOT NULL
              AND last_fetched_at >= '$round_started'),
           (SELECT count(*) FROM items), (SELECT count(*) FROM item_embeddings),
           (SELECT count(*) FROM items WHERE article_state IN ('wanted', 'requested'))")
  printf '\r    %d/%d sources fetched, %d items, %d embeddings, %d article pages to go (%ds) ' \
    "$fetched" "$expected_sources" "$item_count" "$vectors" "$articles_pending" \
    $((SECONDS - drain_started))
  if ((fetched >= expected_sources - 1 && item_count == last_items && vectors >= item_count &&
       articles_pending == 0)); then
    stable=$((stable + 1))
  else
    stable=0
  fi
  # Unchanged for 5 s with every source but the deliberately slow one fetched: drained.
  ((stable >= 5)) && break
  ((SECONDS - drain_started < timeout_s)) || { echo; die "not drained after ${timeout_s}s; see the logs in .local/run/fleet/"; }
  last_items=$item_count
  sleep 1
done
echo

step "summary"
psql -qAt -F ' ' -c "
  SELECT 'sources        ' || count(*) || ' (' || count(*) FILTER (WHERE consecutive_failures = 0 AND last_success_at IS NOT NULL)
         || ' healthy, ' || count(*) FILTER (WHERE consecutive_failures > 0) || ' failing)' FROM sources;
  SELECT 'items          ' || count(*) FROM items;
  SELECT 'stories        ' || count(*) || ' (' || count(*) FILTER (WHERE item_count > 1) || ' seen in several feeds)' FROM stories;
  SELECT 'full text      ' || count(*) FILTER (WHERE article_state = 'done') || ' articles merged from linked pages ('
         || count(*) FILTER (WHERE article_state = 'failed') || ' failed)' FROM items;
  SELECT 'embeddings     ' || count(*) FROM item_embeddings;
  SELECT 'fetches        ' || count(*) || ' (' || count(*) FILTER (WHERE status = 304) || ' not modified)' FROM fetch_log;"
# status exits 1 when one of its sections failed; the DLQ part may still be there.
status_json=$("$tributary" status --json --log-level error 2>/dev/null || true)
dead_letters=$(python3 -c 'import json, sys; print(sum(d["depth"] for d in json.loads(sys.argv[1])["dlq"]))' \
  "$status_json" 2>/dev/null || echo "?")
echo "dead letters   $dead_letters (the 'not-a-feed' source is a parse outcome, not a DLQ entry)"
echo "time taken     $((SECONDS - started_at)) s (drain $((SECONDS - drain_started)) s)"
echo
echo "failing sources (backed off, visible in 'tributary sources list --failing'):"
"$tributary" sources list --failing --log-level warn | sed 's/^/    /'

if ((prometheus)); then
  step "Prometheus: targets up, rules loaded and healthy (deploy/local/prometheus.sh check)"
  deploy/local/prometheus.sh check || die "Prometheus does not see the fleet or its rules"
fi

step "a sample search: tributary search \"river harbor lighthouse\" --limit 5"
"$tributary" search "river harbor lighthouse" --limit 5 --log-level warn ||
  die "tributary search failed (its error is above)"

cat <<DONE

The fleet keeps running and re-fetches on schedule (conditional GETs: unchanged feeds cost a 304).
  logs:        .local/run/fleet/*.log, .local/run/demo/feed_server.log
  look around: build/bin/tributary sources list | status | decode items --max 3 | search "..."
  metrics:     with --prometheus, http://127.0.0.1:${TRIBUTARY_PROMETHEUS_PORT:-29090}/alerts
  stop all:    ./scripts/demo.sh --stop
DONE
