#!/usr/bin/env bash
# Runs the end-to-end pipeline benchmark (pipeline_bench.py) against the local Kafka and
# PostgreSQL, starting them first when they are not running (and stopping them again after).
#   bench/pipeline/run.sh [BIN_DIR] [pipeline_bench.py flags...]
#   (default build/bin; e.g. --feeds 600 --paced-feeds 300 --items 50 --json)
set -euo pipefail
ROOT="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)"
BIN_DIR="$ROOT/build/bin"
if [[ $# -gt 0 && $1 != --* ]]; then
  BIN_DIR="$(realpath -m "$1")"
  shift
fi
# shellcheck source=../../deploy/local/lib.sh
source "$ROOT/deploy/local/lib.sh"
if ! port_answers "$TRIBUTARY_KAFKA_PORT" || ! port_answers "$TRIBUTARY_PG_PORT"; then
  "$ROOT/deploy/local/up.sh"
  trap '"$ROOT/deploy/local/down.sh"' EXIT
fi
python3 "$ROOT/bench/pipeline/pipeline_bench.py" --bin-dir "$BIN_DIR" "$@"
