#!/usr/bin/env bash
# The chaos test (ctest label chaos, run by scripts/test.sh; README "Test it"):
# the whole fleet, two replicas of every stage, ingests a generated web of feeds while stages are
# SIGKILLed at random and restarted, the broker is SIGKILLed and restarted, PostgreSQL is stopped
# with `-m immediate` and started, and one consumer is SIGSTOPped past max.poll.interval.ms and
# then let go (a zombie: its late writes must change nothing). Then it drains and checks what
# landed against what the feed server served (scripts/chaos_checks.sql): nothing missing,
# nothing twice by natural key, link, canonical URL or story, every item embedded, every article
# merged, no dead letter, one fetch per source and per article. A second round of the same feeds
# (whole bodies, no conditional GET) must then write no row and call the embedding backend 0 times.
#
#   scripts/chaos.sh [--items 10000] [--kills 16] [--interval 4] [--seed N] [--rate 15] [--keep]
#
#   --items N     entries served (20 per feed; every 10th feed carries summaries only, so its
#                 entries' article pages are fetched too)
#   --kills N     SIGKILLs of a random stage replica (restarted at once), one every --interval
#   --interval S  seconds between kills (4)
#   --seed N      picks the victims and the zombie (default: random; printed, to run it again)
#   --rate R      per-host fetch rate (default 15/s): paces ingestion to outlast the chaos
#   --keep        keep the scratch database, topics and logs for a look afterwards
#
# Needs the binaries in build/bin and the local Kafka + PostgreSQL (started with up.sh if they
# are not running). Runs in a scratch database and topic prefix beside your own data; it does
# restart the local broker and PostgreSQL, so nothing else should be using them meanwhile (ctest
# runs it alone). Embeds with the hash backend unless TRIBUTARY_BACKEND says otherwise.
# Exits 0 when every check holds, 1 otherwise.
set -euo pipefail

items=10000
kills=16
interval=4
seed=$((RANDOM * 32768 + RANDOM))
rate=15
keep=0
usage() { sed -n '/^#   scripts\/chaos.sh/,/^#   --keep/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --items) items=$2; shift 2 ;;
    --kills) kills=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'chaos.sh: unknown argument %s\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
done
for setting in items kills interval seed; do
  [[ ${!setting} =~ ^[0-9]+$ ]] ||
    { echo "chaos.sh: --$setting ${!setting} is not a number" >&2; exit 2; }
done
((items >= 20 && interval >= 1)) ||
  { echo "chaos.sh: --items must be >= 20, --interval >= 1" >&2; exit 2; }

# A scratch database and topic prefix (env.sh reads them when lib.sh sources it).
export TRIBUTARY_PG_DATABASE="chaos_${seed}_$$"
export TRIBUTARY_TOPIC_PREFIX="chaos-$seed-$$"
repo="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$repo"
# shellcheck source=../deploy/local/lib.sh
source deploy/local/lib.sh
load_pg_location
RANDOM=$seed
readonly items_per_feed=20 summary_every=10 zombie_seconds=20
feeds=$(((items + items_per_feed - 1) / items_per_feed))
work="$(mktemp -d "${TMPDIR:-/tmp}/tributary-chaos.XXXXXX")"
tributary=build/bin/tributary
started_at=$SECONDS
step() { printf '\n==> [chaos %4ds] %s\n' $((SECONDS - started_at)) "$*"; }
sql() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }

export TRIBUTARY_FLEET_DIR="$work/fleet" TRIBUTARY_FLEET_REPLICAS=2 TRIBUTARY_ADMIN_PORT=0
export TRIBUTARY_BACKEND="${TRIBUTARY_BACKEND:-hash}"
export TRIBUTARY_PER_HOST_RATE=$rate TRIBUTARY_PER_HOST_BURST=1 TRIBUTARY_PER_HOST_CONCURRENCY=8

feed_pid=""
zombie_pid=""
broker_down=0
pg_down=0
cleanup() {
  local status=$?
  set +e
  [[ -n $zombie_pid ]] && kill -CONT "$zombie_pid" 2>/dev/null
  deploy/local/fleet.sh stop >"$work/fleet-stop.log" 2>&1
  [[ -n $feed_pid ]] && kill "$feed_pid" 2>/dev/null
  # Whatever happened, leave the broker and PostgreSQL running as we found them.
  if ((broker_down || pg_down)); then deploy/local/up.sh >"$work/up-cleanup.log" 2>&1; fi
  if ((status != 0)); then
    for log in "$work"/fleet/*.log; do show_log_tail "$log" 15; done
  fi
  if ((keep)); then
    say "kept: database $TRIBUTARY_PG_DATABASE, topics $TRIBUTARY_TOPIC_PREFIX.*, logs $work"
  else
    psql -qAtX -d postgres -c "DROP DATABASE IF EXISTS \"$TRIBUTARY_PG_DATABASE\" WITH (FORCE)" \
      >/dev/null
    kafka-topics --bootstrap-server "$TRIBUTARY_KAFKA_BROKERS" --delete \
      --topic "$TRIBUTARY_TOPIC_PREFIX\\..*" >/dev/null 2>&1
    rm -rf "$work"
  fi
  printf '\n==> chaos.sh finished in %ds with exit status %d (seed %s)\n' \
    $((SECONDS - started_at)) "$status" "$seed"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------------------------- setup
step "seed $seed: scratch database $TRIBUTARY_PG_DATABASE, topics $TRIBUTARY_TOPIC_PREFIX.*"
[[ -x $tributary ]] || die "$tributary is not built (cmake --build --preset ci)"
deploy/local/up.sh >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; die "up.sh failed"; }

python3 deploy/local/feed_server.py --port 0 --feeds "$feeds" --items "$items_per_feed" \
  --seed "$seed" --summary-every "$summary_every" >"$work/feed_server.log" 2>&1 &
feed_pid=$!
for _ in $(seq 100); do grep -q '^feed server on' "$work/feed_server.log" && break; sleep 0.1; done
base=$(sed -n 's/^feed server on \(http[^ ]*\).*/\1/p' "$work/feed_server.log")
[[ -n $base ]] || die "the feed server did not start (log $work/feed_server.log)"
curl -sf "$base/opml" | "$tributary" sources import-opml - --interval 1h --log-level warn
curl -sf "$base/admin/manifest" >"$work/manifest.tsv"
served=$(wc -l <"$work/manifest.tsv")
articles=$(awk -F '\t' '$4 == 1' "$work/manifest.tsv" | wc -l)
say "$served entries in $feeds feeds on $base, $articles of them summary-only (article pages)"
round1=$(sql -c "SELECT now()")

step "the fleet: two replicas of every stage (deploy/local/fleet.sh, backend $TRIBUTARY_BACKEND)"
pid_of() { cat "$TRIBUTARY_FLEET_DIR/$1.pid" 2>/dev/null || true; }
# The zombie must outlast max.poll.interval.ms (librdkafka wants it >= session.timeout.ms, 10 s).
# Only for the stages: a CLI client's session timeout is librdkafka's 45 s.
# More than one try: a stage can end by itself right after its start (see restart_ended).
# Each try's own output is kept, with fleet.sh's exit status (a CI run once ended here with
# only the cumulative log's last lines, which did not say why).
start_fleet() {
  local attempt status=0
  for attempt in 1 2 3; do
    TRIBUTARY_KAFKA__MAX_POLL_INTERVAL_MS=15000 deploy/local/fleet.sh start \
      >"$work/fleet-start.log" 2>&1 && return 0 || status=$?
    say "fleet.sh start failed (try $attempt, exit status $status)"
    cat "$work/fleet-start.log" >>"$work/fleet-start-failures.log"
    sleep 2
  done
  cat "$work/fleet-start-failures.log" >&2
  die "a stage did not (re)start (fleet.sh exit status $status, its output above)"
}
start_fleet
mapfile -t replicas < <(for s in loader embedder parser fetcher scheduler; do
  echo "$s"
  echo "$s-2"
done)

# ------------------------------------------------------------------------------------- chaos
# As a supervisor would, a killed process is restarted once it is gone: tearing one down takes
# a moment (a JVM's longer, and longer still on a loaded machine), and a start script would take
# a dying process for a running one.
wait_gone() {
  local _
  for _ in $(seq 300); do pid_alive "$1" || return 0; sleep 0.1; done
  die "$2 (pid $1) still runs 30 s after SIGKILL"
}
# As a supervisor would: a replica that ended by itself (a stage ends on a fatal Kafka error,
# e.g. a static member fenced after the broker's restart) is started again.
restart_ended() {
  local name pid
  for name in "${replicas[@]}"; do
    pid=$(pid_of "$name")
    [[ -n $pid ]] && pid_alive "$pid" && continue
    say "$name had ended ($(tail -n 1 "$TRIBUTARY_FLEET_DIR/$name.log" | cut -c1-200)): starting it"
    start_fleet
    return
  done
}
# The kills run every --interval seconds; the broker goes at a quarter of them, the zombie at
# two fifths, PostgreSQL at three fifths, so each lands while the fleet is busy.
step "chaos: $kills SIGKILLs every ${interval}s, the broker, PostgreSQL, one zombie"
declare -A killed=()
kill_count=0
zombie=""
broker_at=$((kills / 4)) zombie_at=$((kills * 2 / 5)) pg_at=$((kills * 3 / 5))
for ((k = 0; k < kills; k++)); do
  sleep "$interval"
  restart_ended
  if ((k == broker_at)); then
    t=$(now_ms)
    pid=$(kafka_pid)
    [[ -n $pid ]] || die "no broker of this checkout is running"
    kill -KILL "$pid"
    broker_down=1
    wait_gone "$pid" "the broker"
    deploy/local/up.sh >"$work/up-broker.log" 2>&1 ||
      { cat "$work/up-broker.log" >&2; die "the broker did not come back"; }
    broker_down=0
    say "broker SIGKILLed and restarted: answering again after $(since "$t") s"
  fi
  if ((k == zombie_at)); then
    zombie=${replicas[$((RANDOM % 4 * 2 + 1))]}  # the second replica of a consuming stage
    zombie_pid=$(pid_of "$zombie")
    # (it may have ended by itself since restart_ended looked: then there is no zombie)
    kill -STOP "$zombie_pid" 2>/dev/null || { zombie="" zombie_pid=""; }
  fi
  if [[ -n $zombie && -n $zombie_pid && $k == "$zombie_at" ]]; then
    zombie_lines_before=$(wc -l <"$TRIBUTARY_FLEET_DIR/$zombie.log")
    (sleep "$zombie_seconds"; kill -CONT "$zombie_pid" 2>/dev/null) &
    zombie_cont=$!
    say "$zombie (pid $zombie_pid) SIGSTOPped for ${zombie_seconds}s, past max.poll.interval.ms"
  fi
  if ((k == pg_at)); then
    t=$(now_ms)
    as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DATA" stop -m immediate >"$work/pg-stop.log" 2>&1 ||
      { cat "$work/pg-stop.log" >&2; die "pg_ctl stop -m immediate failed"; }
    pg_down=1
    sleep 2
    deploy/local/up.sh >"$work/up-pg.log" 2>&1 ||
      { cat "$work/up-pg.log" >&2; die "PostgreSQL did not come back"; }
    pg_down=0
    say "PostgreSQL stopped -m immediate and started: answering again after $(since "$t") s"
  fi
  # A random replica, but never the zombie while it is stopped (it must wake up as one).
  while :; do
    victim=${replicas[$((RANDOM % ${#replicas[@]}))]}
    [[ $(pid_of "$victim") != "$zombie_pid" ]] && break
  done
  pid=$(pid_of "$victim")
  if [[ -n $pid ]] && pid_alive "$pid"; then
    kill -KILL "$pid"
    wait_gone "$pid" "$victim"
    kill_count=$((kill_count + 1))
    killed[$victim]=$((${killed[$victim]:-0} + 1))
  fi
  start_fleet
done
if [[ -n $zombie ]]; then
  wait "$zombie_cont" 2>/dev/null || true
  zombie_pid=""
fi
summary=""
for name in "${!killed[@]}"; do summary+="$name x${killed[$name]}, "; done
say "$kill_count SIGKILLs (${summary%, })"

# ------------------------------------------------------------------------------------- drain
# Drained: every entry landed with its vector, no article page is still to come, and no
# stage has lag, for 5 polls in a row; or the deadline, after which the checks say what is off.
wait_drained() {
  local expected=$1 deadline=$((SECONDS + $2)) stable=0 last="" now
  while ((SECONDS < deadline)); do
    restart_ended
    now=$(sql -F ' ' -c "SELECT (SELECT count(*) FROM items),
      (SELECT count(*) FROM item_embeddings),
      (SELECT count(*) FROM items WHERE article_state IN ('wanted', 'requested'))")
    local lag
    # Lag per group with the partitions that have it ("parser 2: documents[3]=2"), or 0.
    # (status exits 1 when a section failed; the JSON still says which)
    lag=$({ "$tributary" status --json --log-level error 2>/dev/null || true; } | python3 -c '
import json, sys
out = []
status = json.load(sys.stdin)
for g in status["groups"]:
    parts = ["%s[%d]=%d" % (p["topic"].rsplit(".", 1)[-1], p["partition"], p["lag"])
             for p in g.get("partitions", []) if p["lag"]]
    if g.get("error") or parts:
        out.append(g["group"].removeprefix("tributary-") + ": " +
                   (g.get("error") or " ".join(parts)))
for key in ("dlq_error", "database_error"):
    if key in status:
        out.append(key + ": " + status[key])
print("; ".join(out) or 0)') || lag=unknown
    read -r n_items n_vectors n_pending <<<"$now"
    printf '\r    %d/%d items, %d embeddings, %d article pages to come, lag %s   ' \
      "$n_items" "$expected" "$n_vectors" "$n_pending" "$lag"
    if [[ $lag == 0 && $n_pending == 0 && $n_items -ge $expected && $n_vectors -ge $n_items &&
          $now == "$last" ]]; then
      stable=$((stable + 1))
      ((stable >= 5)) && { echo; return 0; }
    else
      stable=0
    fi
    last=$now
    sleep 1
  done
  echo
  return 1
}

step "drain"
t=$(now_ms)
wait_drained "$served" 240 || warn "not drained within 240 s; the checks below say what is missing"
say "drained $(since "$t") s after the last kill"

if [[ -n $zombie ]]; then
  woke=$(tail -n +"$((zombie_lines_before + 1))" "$TRIBUTARY_FLEET_DIR/$zombie.log" |
    grep -m1 -iE 'revok|lost|fenced|poll interval|rebalanc|unknown member|assigned' || true)
  say "zombie $zombie after SIGCONT: ${woke:-(nothing about its partitions in its log)}"
fi

# ------------------------------------------------------------------------------------- checks
failures=0
check_rows() {
  local name got want
  while IFS='|' read -r name got want; do
    if [[ $got == "$want" ]]; then
      printf '    ok    %-44s %s\n' "$name" "$got"
    else
      printf '    FAIL  %-44s %s (must be %s)\n' "$name" "$got" "$want"
      failures=$((failures + 1))
    fi
  done
}

step "checks against what the feed server served"
sql -c "CREATE TABLE chaos_served (feed_url text, external_id text, link text, summary boolean)"
sql -c "\\copy chaos_served FROM '$work/manifest.tsv'"
check_rows < <(sql -v round1="$round1" -f scripts/chaos_checks.sql)
check_rows < <("$tributary" status --json --log-level error 2>/dev/null | python3 -c '
import json, sys
for d in json.load(sys.stdin)["dlq"]:
    print("dead letters in %s|%d|0" % (d["topic"], d["depth"]))')

# ------------------------------------------------------------------------------------- round 2
step "round 2: the same feeds, whole bodies again: no row written, no embedding computed"
# Every row a round could write, with its xmin: a rewritten row gets a new one.
rows_fingerprint() {
  local table query=""
  for table in items item_embeddings item_chunks stories story_items; do
    query+="${query:+ UNION ALL }SELECT '$table ' || count(*) || ' ' ||
      coalesce(md5(string_agg(x::text || x.xmin, ',' ORDER BY x::text)), '') FROM $table x"
  done
  sql -c "SELECT string_agg(f, ', ' ORDER BY f) FROM ($query) AS t(f)"
}
# The embedders' backend calls, from their /metrics (the port each logged last).
backend_calls() {
  local total=0 name port value
  for name in embedder embedder-2; do
    port=$(admin_port_of "$TRIBUTARY_FLEET_DIR/$name.log")
    value=$(curl -sf "http://127.0.0.1:$port/metrics" |
      awk '/^tributary_embedder_backend_requests_total/ {s += $2} END {print s + 0}')
    total=$((total + ${value%.*}))
  done
  echo "$total"
}
# Faster fetchers for this round: politeness pacing was only there to outlast the chaos.
for name in fetcher fetcher-2; do kill -TERM "$(pid_of "$name")" 2>/dev/null || true; done
while [[ -n $(pid_of fetcher) ]] && pid_alive "$(pid_of fetcher)" ||
      { [[ -n $(pid_of fetcher-2) ]] && pid_alive "$(pid_of fetcher-2)"; }; do sleep 0.2; done
TRIBUTARY_PER_HOST_RATE=1000 TRIBUTARY_PER_HOST_BURST=100 start_fleet
before=$(rows_fingerprint)
calls_before=$(backend_calls)
round2=$(sql -c "SELECT now()")
sql -c "UPDATE sources SET next_fetch_at = now(), etag = NULL, last_modified = NULL"
t=$(now_ms)
for _ in $(seq 120); do
  fetched=$(sql -c "SELECT count(DISTINCT url) FROM fetch_log WHERE fetched_at >= '$round2'
                    AND parent_request_id IS NULL")
  ((fetched >= feeds)) && break
  sleep 1
done
wait_drained "$served" 120 || warn "round 2 did not drain within 120 s"
say "round 2: $fetched feeds fetched again and drained in $(since "$t") s"
after=$(rows_fingerprint)
calls_after=$(backend_calls)
check_rows < <(
  printf 'round 2: feeds fetched again|%s|%s\n' "$fetched" "$feeds"
  printf 'round 2: rows written|%s|0\n' \
    "$([[ $before == "$after" ]] && echo 0 || echo "some (before: $before; after: $after)")"
  printf 'round 2: embedding backend calls|%s|0\n' "$((calls_after - calls_before))"
  sql -c "SELECT 'round 2: article pages fetched', count(*), 0 FROM fetch_log
          WHERE fetched_at >= '$round2' AND parent_request_id IS NOT NULL"
)

step "figures"
say "seed $seed: $served entries ($articles article pages) in $feeds feeds; $kill_count SIGKILLs," \
  "broker SIGKILL x1, PostgreSQL -m immediate x1, zombie ${zombie:-none}"
if ((failures)); then
  say "$failures check(s) FAILED"
  exit 1
fi
say "every check holds"
