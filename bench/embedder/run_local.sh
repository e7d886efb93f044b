#!/usr/bin/env bash
# The local backend beside sentence-transformers on the same texts and cores (README.md):
#   bench/embedder/run_local.sh [BUILD_DIR] [THREADS] [PRECISION]   (build/dev, 2, auto)
# Needs the model (deploy/local/install.sh) and, for the peer, the reference venv that
# bench/embedder/reference/run.sh makes (.local/peers/embedder-venv); without the venv only
# tributary's own figures are printed.
set -euo pipefail
ROOT="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)"
BUILD="$(realpath -m "${1:-$ROOT/build/dev}")"
THREADS="${2:-2}"
PRECISION="${3:-auto}"
MODEL="${TRIBUTARY_MODEL_DIR:-$ROOT/.local/models/all-MiniLM-L6-v2}"
cmake --build "$BUILD" --target tributary-local-model-bench
args=(--model-dir "$MODEL" --threads "$THREADS" --precision "$PRECISION" --work "$BUILD/bench/local-model-work")
python="$ROOT/.local/peers/embedder-venv/bin/python"
if [[ -x $python ]]; then
  export TRIBUTARY_MODEL_DIR="$MODEL" TRIBUTARY_BENCH_THREADS="$THREADS" HF_HUB_OFFLINE=1
  args+=(--peer "$python $ROOT/bench/embedder/peer/sentence_transformers_peer.py")
else
  echo "note: no $python (bench/embedder/reference/run.sh makes it): no peer" >&2
fi
"$BUILD/bench/tributary-local-model-bench" "${args[@]}"
