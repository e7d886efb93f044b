#!/usr/bin/env bash
# Regenerates the local embedder's reference fixtures (make_fixtures.py) with Hugging Face's
# tokenizers and sentence-transformers, installed from PyPI into .local/peers/embedder-venv at
# the pins of requirements.txt (torch from PyPI brings its CUDA runtime packages, ~3 GB, needed
# to import it even on a CPU). Test tooling only: the fixtures are committed, and neither the
# build nor the tests run this.
#   bench/embedder/reference/run.sh [MODEL_DIR]   (default .local/models/all-MiniLM-L6-v2,
#                                                  which deploy/local/install.sh installs)
set -euo pipefail
repo="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../../.." && pwd -P)"
here="$repo/bench/embedder/reference"
model="${1:-$repo/.local/models/all-MiniLM-L6-v2}"
venv="$repo/.local/peers/embedder-venv"
say() { printf '[reference/run.sh] %s\n' "$*"; }
[[ -f $model/model.safetensors ]] || {
  say "no model in $model: run deploy/local/install.sh first" >&2
  exit 1
}
want=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
stamp="$venv/installed.stamp"
if [[ ! -r $stamp || $(<"$stamp") != "$want" ]]; then
  say "installing $(grep -v '^#' "$here/requirements.txt" | xargs) into $venv (~3 GB)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  PIP_CACHE_DIR="$repo/.local/cache/pip" "$venv/bin/python" -m pip install -q \
    --disable-pip-version-check --no-input -r "$here/requirements.txt"
  printf '%s\n' "$want" >"$stamp"
fi
HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$venv/bin/python" "$here/make_fixtures.py" "$model" \
  "$repo/services/embedder/local/tests/fixtures"
