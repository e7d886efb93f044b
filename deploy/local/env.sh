# shellcheck shell=bash
# Settings of the local Kafka + Postgres started by deploy/local/up.sh, in the variables that
# the tributary binaries and tests read. Source it (bash), from any directory:
#
#   source deploy/local/env.sh
#
# It only sets variables: no `set -e`/`set -u` changes leak into your shell, and it works in a
# shell that already runs with `set -u`. Re-sourcing is harmless (PATH is not grown twice).
#
# Ports are settings: export TRIBUTARY_KAFKA_PORT, TRIBUTARY_KAFKA_CONTROLLER_PORT or
# TRIBUTARY_PG_PORT before sourcing (and before up.sh) to move the services.

if [ -z "${BASH_SOURCE[0]:-}" ]; then
  echo "deploy/local/env.sh: source it from bash (it finds the repo through BASH_SOURCE)" >&2
  # shellcheck disable=SC2317 # exit is reached only when this file was run, not sourced.
  return 1 2>/dev/null || exit 1
fi

# The repo root comes from this file's own location, never from the cwd, so the same file
# serves any clone (CI clones to a path nobody knows in advance). CDPATH is cleared because a
# user's CDPATH makes `cd` print the directory, which would end up inside the path.
TRIBUTARY_REPO_DIR="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)"
export TRIBUTARY_REPO_DIR
# Everything downloaded or generated (jars, venv, data, logs, pid files) lives here; git
# ignores it.
export TRIBUTARY_LOCAL_DIR="$TRIBUTARY_REPO_DIR/.local"

export TRIBUTARY_KAFKA_PORT="${TRIBUTARY_KAFKA_PORT:-29092}"
export TRIBUTARY_KAFKA_CONTROLLER_PORT="${TRIBUTARY_KAFKA_CONTROLLER_PORT:-29093}"
export TRIBUTARY_PG_PORT="${TRIBUTARY_PG_PORT:-25432}"

export TRIBUTARY_KAFKA_BROKERS="127.0.0.1:${TRIBUTARY_KAFKA_PORT}"
export TRIBUTARY_TOPIC_PREFIX="${TRIBUTARY_TOPIC_PREFIX:-tributary}"
export TRIBUTARY_TOPIC_PARTITIONS="${TRIBUTARY_TOPIC_PARTITIONS:-6}"

# libpq reads these itself, so psql, libpqxx and the binaries agree without flags.
export PGHOST=127.0.0.1
export PGPORT="$TRIBUTARY_PG_PORT"
export PGUSER=tributary
# The database up.sh creates and migrates; TRIBUTARY_PG_DATABASE picks another (a scratch run
# of the demo beside your own data, as the demo's own test does).
export PGDATABASE="${TRIBUTARY_PG_DATABASE:-tributary}"
export TRIBUTARY_PG_DSN="postgresql://tributary@127.0.0.1:${TRIBUTARY_PG_PORT}/${PGDATABASE}"

# Where install.sh put PostgreSQL (it may be outside the repo: see install.sh). Tests that
# restart Postgres use TRIBUTARY_PG_BIN/pg_ctl with TRIBUTARY_PG_DATA.
if [ -r "$TRIBUTARY_LOCAL_DIR/pg-location.env" ]; then
  # shellcheck source=/dev/null
  . "$TRIBUTARY_LOCAL_DIR/pg-location.env"
  export TRIBUTARY_PG_ROOT TRIBUTARY_PG_BIN TRIBUTARY_PG_OS_USER
  export TRIBUTARY_PG_DATA="$TRIBUTARY_PG_ROOT/data"
  export TRIBUTARY_PG_LOG="$TRIBUTARY_PG_ROOT/log/postgres.log"
fi
export TRIBUTARY_KAFKA_LOG="$TRIBUTARY_LOCAL_DIR/run/kafka/kafka.log"

# The Kafka tool wrappers (kafka-topics, kafka-console-producer, ...) come first on PATH.
case ":${PATH:-}:" in
  *":$TRIBUTARY_REPO_DIR/deploy/local/bin:"*) ;;
  *) export PATH="$TRIBUTARY_REPO_DIR/deploy/local/bin${PATH:+:$PATH}" ;;
esac
