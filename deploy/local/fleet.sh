#!/usr/bin/env bash
# Starts and stops the whole tributary fleet on this machine, against the local Kafka and
# PostgreSQL of up.sh: scheduler, fetcher, parser, embedder (the local all-MiniLM-L6-v2 model
# unless TRIBUTARY_BACKEND says otherwise), loader.
#
#   deploy/local/fleet.sh start [-- EXTRA FETCHER FLAGS]   start every binary not yet running
#   deploy/local/fleet.sh stop                              SIGTERM each (graceful drain), then wait
#   deploy/local/fleet.sh status                            which are running, and their logs
#
# TRIBUTARY_FLEET_REPLICAS=N (1) runs N of every stage: replica 1 is named after its stage
# (loader), the others get their number (loader-2), each its own pid file, log, group instance
# id and, from the second on, any free admin port (the log's "admin server listening" line).
#
# Binaries come from build/bin (TRIBUTARY_BIN_DIR overrides); logs and pid files live in
# .local/run/fleet/ (TRIBUTARY_FLEET_DIR overrides). Settings reach the binaries through the TRIBUTARY_* variables of env.sh;
# anything else can be exported before calling this script (see each binary's --help).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

readonly FLEET_DIR="${TRIBUTARY_FLEET_DIR:-$TRIBUTARY_LOCAL_DIR/run/fleet}"
readonly BIN_DIR="${TRIBUTARY_BIN_DIR:-$TRIBUTARY_REPO_DIR/build/bin}"
readonly STAGES=(loader embedder parser fetcher scheduler)
readonly REPLICAS="${TRIBUTARY_FLEET_REPLICAS:-1}"
[[ $REPLICAS =~ ^[1-9][0-9]?$ ]] || die "TRIBUTARY_FLEET_REPLICAS=$REPLICAS is not a number from 1 to 99"

# The names of a stage's replicas: loader loader-2 ... loader-N.
replica_names() {
  local n
  printf '%s\n' "$1"
  for ((n = 2; n <= REPLICAS; n++)); do printf '%s-%d\n' "$1" "$n"; done
}

# What runs or ran in this fleet directory: every replica's name with a pid file, in stop order,
# also those of an earlier start with more replicas.
started_names() {
  local stage file
  for stage in scheduler fetcher parser embedder loader; do
    for file in "$FLEET_DIR/$stage.pid" "$FLEET_DIR/$stage"-[0-9]*.pid; do
      [[ -e $file ]] && basename "$file" .pid
    done
  done
  return 0
}

# pid_alive, not kill -0: a SIGKILLed stage stays a zombie until its parent reaps it, and kill -0
# succeeds on a zombie, which made `start` skip a stage that had just died.
running() {
  local pid_file="$FLEET_DIR/$1.pid" pid
  [[ -r $pid_file ]] && read -r pid <"$pid_file" && [[ $pid =~ ^[0-9]+$ ]] && pid_alive "$pid"
}

# start_stage STAGE NAME [FLAGS...]: replica NAME of STAGE, unless it runs.
start_stage() {
  local stage=$1 name=$2
  shift 2
  local binary="$BIN_DIR/tributary-$stage"
  [[ -x $binary ]] || die "$binary is not built (cmake --build --preset ci)"
  if running "$name"; then
    say "$name: already running (pid $(cat "$FLEET_DIR/$name.pid"))"
    return
  fi
  # A second replica on this machine cannot have the stage's admin port too.
  [[ $name == "$stage" ]] || set -- "$@" --admin-port 0
  "$binary" "$@" >>"$FLEET_DIR/$name.log" 2>&1 &
  echo $! >"$FLEET_DIR/$name.pid"
  STARTED+=("$name")
  say "$name: started (pid $!, log $FLEET_DIR/$name.log)"
}
STARTED=()  # the replicas this run started

start() {
  mkdir -p "$FLEET_DIR"
  # The demo's feed server listens on loopback, which the fetcher refuses by default (SSRF
  # guard): let it reach 127.0.0.0/8 unless the caller chose its own allow-list.
  export TRIBUTARY_ALLOW_CIDRS="${TRIBUTARY_ALLOW_CIDRS:-127.0.0.0/8}"
  export TRIBUTARY_LOG_FORMAT="${TRIBUTARY_LOG_FORMAT:-json}"
  use_default_embedding
  # Static group membership: a stage restarted after a crash takes its partitions back at once
  # instead of after the session timeout (one replica per stage, machine and topic prefix here).
  # The prefix is part of the id because the groups are not: a fleet on other topics that
  # started within the session timeout under the same id would be handed the old fleet's
  # partitions (a static member that rejoins keeps its assignment).
  local id stage name
  id="$(uname -n)-$TRIBUTARY_TOPIC_PREFIX"
  # Downstream first, so nothing waits for a consumer that is not there yet.
  for stage in loader embedder parser; do
    for name in $(replica_names "$stage"); do
      start_stage "$stage" "$name" --group-instance-id "$id-$name"
    done
  done
  for name in $(replica_names fetcher); do
    start_stage fetcher "$name" --group-instance-id "$id-$name" "$@"
  done
  for name in $(replica_names scheduler); do start_stage scheduler "$name"; done
  sleep 1
  # Only what this run started: a replica that was running and has ended meanwhile (a fatal
  # Kafka error ends a stage so that it is started again) is started by the next `start`.
  for name in "${STARTED[@]}"; do
    if ! running "$name"; then
      show_log_tail "$FLEET_DIR/$name.log" 20
      die "$name exited right after starting (log above)"
    fi
  done
}

stop() {
  local name pid waited
  for name in $(started_names); do
    if ! running "$name"; then
      rm -f "$FLEET_DIR/$name.pid"
      continue
    fi
    pid=$(cat "$FLEET_DIR/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
    waited=0
    while pid_alive "$pid" && ((waited < 300)); do
      sleep 0.1
      waited=$((waited + 1))
    done
    if pid_alive "$pid"; then
      warn "$name did not stop within 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$FLEET_DIR/$name.pid"
    say "$name: stopped"
  done
}

status() {
  local stage name
  for stage in "${STAGES[@]}"; do
    for name in $(replica_names "$stage"); do
      if running "$name"; then
        say "$name: running (pid $(cat "$FLEET_DIR/$name.pid"), log $FLEET_DIR/$name.log)"
      else
        say "$name: not running"
      fi
    done
  done
}

case "${1:-}" in
  start) shift; [[ ${1:-} == -- ]] && shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $SCRIPT_NAME start|stop|status" ;;
esac
