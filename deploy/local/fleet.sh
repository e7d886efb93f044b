#!/usr/bin/env bash
# Starts and stops the whole tributary fleet on this machine, against the local Kafka and
# PostgreSQL of up.sh: scheduler, fetcher, parser, embedder (the local all-MiniLM-L6-v2 model
# unless TRIBUTARY_BACKEND says otherwise), loader.
#
#   deploy/local/fleet.sh start [-- EXTRA FETCHER FLAGS]   start every binary not yet running
#   deploy/local/fleet.sh stop                              SIGTERM each (graceful drain), then wait
#   deploy/local/fleet.sh status                            which are running, and their logs
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

# pid_alive, not kill -0: a SIGKILLed stage stays a zombie until its parent reaps it, and kill -0
# succeeds on a zombie, which made `start` skip a stage that had just died.
running() {
  local pid_file="$FLEET_DIR/$1.pid" pid
  [[ -r $pid_file ]] && read -r pid <"$pid_file" && [[ $pid =~ ^[0-9]+$ ]] && pid_alive "$pid"
}

start_stage() {
  local stage=$1
  shift
  local binary="$BIN_DIR/tributary-$stage"
  [[ -x $binary ]] || die "$binary is not built (cmake --build --preset ci)"
  if running "$stage"; then
    say "$stage: already running (pid $(cat "$FLEET_DIR/$stage.pid"))"
    return
  fi
  "$binary" "$@" >>"$FLEET_DIR/$stage.log" 2>&1 &
  echo $! >"$FLEET_DIR/$stage.pid"
  say "$stage: started (pid $!, log $FLEET_DIR/$stage.log)"
}

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
  local id
  id="$(uname -n)-$TRIBUTARY_TOPIC_PREFIX"
  # Downstream first, so nothing waits for a consumer that is not there yet.
  start_stage loader --group-instance-id "$id-loader"
  start_stage embedder --group-instance-id "$id-embedder"
  start_stage parser --group-instance-id "$id-parser"
  start_stage fetcher --group-instance-id "$id-fetcher" "$@"
  start_stage scheduler
  sleep 1
  local stage
  for stage in "${STAGES[@]}"; do
    if ! running "$stage"; then
      show_log_tail "$FLEET_DIR/$stage.log" 20
      die "$stage exited right after starting (log above)"
    fi
  done
}

stop() {
  local stage pid waited
  for stage in scheduler fetcher parser embedder loader; do
    running "$stage" || continue
    pid=$(cat "$FLEET_DIR/$stage.pid")
    kill -TERM "$pid" 2>/dev/null || true
    waited=0
    while pid_alive "$pid" && ((waited < 300)); do
      sleep 0.1
      waited=$((waited + 1))
    done
    if pid_alive "$pid"; then
      warn "$stage did not stop within 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$FLEET_DIR/$stage.pid"
    say "$stage: stopped"
  done
}

status() {
  local stage
  for stage in "${STAGES[@]}"; do
    if running "$stage"; then
      say "$stage: running (pid $(cat "$FLEET_DIR/$stage.pid"), log $FLEET_DIR/$stage.log)"
    else
      say "$stage: not running"
    fi
  done
}

case "${1:-}" in
  start) shift; [[ ${1:-} == -- ]] && shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $SCRIPT_NAME start|stop|status" ;;
esac
