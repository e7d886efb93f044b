#!/usr/bin/env bash
# Builds tributary's parser benchmark and the gofeed peer, then runs both on the same files.
#   bench/parser/run.sh [BUILD_DIR] [ITERATIONS]      (default build/dev, 20)
set -euo pipefail
ROOT="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)"
BUILD="$(realpath -m "${1:-$ROOT/build/dev}")"  # absolute: the Go build runs in peer/
ITERATIONS="${2:-20}"
cmake --build "$BUILD" --target tributary-parser-bench
mkdir -p "$BUILD/bench"
# gofeed comes from the Go module proxy, pinned by go.sum.
(cd "$ROOT/bench/parser/peer" && go build -o "$BUILD/bench/gofeed-peer" .)
"$BUILD/bench/tributary-parser-bench" --iterations "$ITERATIONS" \
  --peer "$BUILD/bench/gofeed-peer" --work "$BUILD/bench/parser-work"
