#!/usr/bin/env bash
# Stops the Kafka broker and the PostgreSQL cluster that up.sh started from this checkout.
# Safe to run when nothing runs. With --purge (or TRIBUTARY_PURGE=1) it also deletes their
# data and logs, so the next up.sh starts from empty storage; the installed jars, venv and
# Maven repository stay (delete .local for those, see README.md).
#   TRIBUTARY_KAFKA_STOP_TIMEOUT (30 s): how long Kafka gets to shut down before SIGKILL.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

usage() {
  cat <<EOF
usage: $SCRIPT_NAME [--purge]
  --purge   also delete Kafka's and PostgreSQL's data and logs (same as TRIBUTARY_PURGE=1)
EOF
}

PURGE=${TRIBUTARY_PURGE:-0}
for arg in "$@"; do
  case $arg in
    --purge) PURGE=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown argument: $arg"
      ;;
  esac
done
readonly STOP_TIMEOUT="${TRIBUTARY_KAFKA_STOP_TIMEOUT:-30}"

stop_kafka() {
  local pid
  pid=$(kafka_pid)
  if [[ -z $pid ]]; then
    say "Kafka: not running"
    rm -f "$KAFKA_PID_FILE"
    return 0
  fi
  # SIGTERM makes the broker shut down in order (flush logs, write a clean-shutdown marker),
  # so the next start skips log recovery.
  say "Kafka: stopping pid $pid (SIGTERM, up to $STOP_TIMEOUT s)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  # _is_our_broker rather than kill -0: a zombie left unreaped by a container's pid 1 still
  # answers kill -0 but has no command line any more.
  while _is_our_broker "$pid" && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if _is_our_broker "$pid"; then
    warn "Kafka did not stop within $STOP_TIMEOUT s; sending SIGKILL (log: $KAFKA_LOG)"
    kill -KILL "$pid" 2>/dev/null || true
    while _is_our_broker "$pid"; do sleep 0.1; done
  fi
  rm -f "$KAFKA_PID_FILE"
  say "Kafka: stopped"
}

stop_postgres() {
  if [[ ! -r $PG_LOCATION_FILE ]]; then
    say "PostgreSQL: not installed for this checkout"
    return 0
  fi
  load_pg_location
  if ! pg_running; then
    say "PostgreSQL: not running"
    return 0
  fi
  say "PostgreSQL: stopping (pg_ctl stop -m fast)"
  # fast: roll back open transactions and disconnect clients, then a clean shutdown
  # checkpoint; the test suite's connections must not keep the cluster up.
  if ! as_pg_user "$PG_BIN/pg_ctl" stop --pgdata="$PG_DATA" --mode=fast --wait --timeout=60 --silent; then
    warn "PostgreSQL did not stop in 60 s; stopping it with -m immediate (log: $PG_LOG)"
    as_pg_user "$PG_BIN/pg_ctl" stop --pgdata="$PG_DATA" --mode=immediate --wait --timeout=30 --silent ||
      die "PostgreSQL would not stop (log: $PG_LOG)"
  fi
  say "PostgreSQL: stopped"
}

purge() {
  say "purging Kafka data ($KAFKA_DATA_DIR) and run files ($KAFKA_RUN_DIR)"
  rm -rf -- "$KAFKA_DATA_DIR" "$KAFKA_RUN_DIR"
  if [[ -n ${PG_DATA:-} ]]; then
    say "purging PostgreSQL data ($PG_DATA) and logs ($PG_LOG_DIR)"
    # The directories themselves stay (owned by the PostgreSQL user); up.sh runs initdb again.
    find "$PG_DATA" "$PG_LOG_DIR" -mindepth 1 -delete 2>/dev/null || true
  fi
}

main() {
  mkdir -p "$TRIBUTARY_LOCAL_DIR/run"
  exec 9>"$TRIBUTARY_LOCAL_DIR/run/lock"
  flock -w 300 9 || die "another up.sh/down.sh of this checkout holds $TRIBUTARY_LOCAL_DIR/run/lock"
  stop_kafka
  stop_postgres
  if [[ $PURGE == 1 ]]; then
    purge
  fi
}

main
