#!/usr/bin/env bash
# Starts the OpenAI-compatible stub at a fixed latency per request, runs the embedder benchmark
# against it, and stops the stub again (also on failure or Ctrl-C).
#   bench/embedder/run.sh [BUILD_DIR] [LATENCY_MS] [extra benchmark flags...]
#   (default build/dev, 50 ms; e.g. --items 20000 --batch 32 --concurrency 4 --dims 256)
set -euo pipefail
ROOT="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)"
BUILD="$(realpath -m "${1:-$ROOT/build/dev}")"
LATENCY_MS="${2:-50}"
shift $(( $# > 2 ? 2 : $# ))
nice cmake --build "$BUILD" --target tributary-embedder-bench
DIMS=256
for ((i = 1; i <= $#; i++)); do
  if [[ ${!i} == --dims ]]; then j=$((i + 1)); DIMS=${!j}; fi
done
PORT_FILE="$(mktemp)"
python3 "$ROOT/tests/support/openai_stub_server.py" --dims "$DIMS" --latency-ms "$LATENCY_MS" \
  >"$PORT_FILE" &
STUB=$!
trap 'kill "$STUB" 2>/dev/null; rm -f "$PORT_FILE"' EXIT
for _ in $(seq 100); do grep -q '^PORT ' "$PORT_FILE" && break; sleep 0.1; done
PORT="$(awk '/^PORT /{print $2}' "$PORT_FILE")"
echo "stub server on port $PORT, $LATENCY_MS ms per request"
"$BUILD/bench/tributary-embedder-bench" --url "http://127.0.0.1:$PORT/v1/embeddings" "$@"
