#!/usr/bin/env bash
# Builds tributary's parser benchmark and its peers, then runs them all on the same files:
#   gofeed (Go module proxy, pinned by peer/go.sum), feedparser and feedparser-rs (PyPI, pinned
#   in tests/reference/requirements-feeds.txt, installed into .local/peers by
#   scripts/install_peers.sh), and xmllint --stream (Debian libxml2-utils) as the raw-scan
#   ceiling, with the whole `tributary parse FILE` process timed against it; web pages
#   (../shared/corpus/pages/readability) against trafilatura (tests/reference/
#   requirements-pages.txt, `scripts/install_peers.sh --pages`).
#   bench/parser/run.sh [BUILD_DIR] [ITERATIONS]      (default build/dev, 20)
set -euo pipefail
ROOT="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)"
BUILD="$(realpath -m "${1:-$ROOT/build/dev}")"  # absolute: the Go build runs in peer/
ITERATIONS="${2:-20}"
cmake --build "$BUILD" --target tributary-parser-bench tributary
mkdir -p "$BUILD/bench"
(cd "$ROOT/bench/parser/peer" && go build -o "$BUILD/bench/gofeed-peer" .)
"$ROOT/scripts/install_peers.sh"
"$ROOT/scripts/install_peers.sh" --pages
python="$ROOT/.local/peers/venv/bin/python"
xmllint=$(command -v xmllint || true)
[[ -n $xmllint ]] || echo "note: no xmllint (Debian libxml2-utils, which" \
  "deploy/local/install.sh installs): no raw-scan ceiling" >&2
# The CLI of this build tree (a preset's own bin/, or build/bin beside build/dev).
# find fails on a directory that does not exist (build/bin before any dev build): not an error.
cli=$( (find "$BUILD" "$(dirname "$BUILD")/bin" -maxdepth 2 -name tributary -type f -perm -u+x \
  2>/dev/null || true) | head -1)
args=(--iterations "$ITERATIONS" --work "$BUILD/bench/parser-work"
  --peer "gofeed=$BUILD/bench/gofeed-peer"
  --peer "feedparser-rs=$python $ROOT/bench/parser/peer/python_peer.py feedparser_rs"
  --peer "feedparser=$python $ROOT/bench/parser/peer/python_peer.py feedparser"
  --page-peer "trafilatura=$ROOT/.local/peers/pages-venv/bin/python $ROOT/bench/parser/peer/trafilatura_peer.py")
[[ -n $xmllint ]] && args+=(--xmllint "$xmllint")
[[ -n $cli ]] && args+=(--cli "$cli")
"$BUILD/bench/tributary-parser-bench" "${args[@]}"
