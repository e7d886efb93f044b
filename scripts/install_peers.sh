#!/usr/bin/env bash
# Installs the test- and bench-only reference tools into .local/peers (never needed by the
# product, never installed system-wide):
#   - a Python venv with the pinned packages of tests/reference/requirements-feeds.txt
#     (feedparser, feedparser-rs);
#   - feedparser's own test feeds (about 2,200 edge cases, from its PyPI sdist), unpacked in
#     .local/peers/feedparser-<version>/tests for the differential test. They stay out of the
#     repository: read in place, like ../shared/corpus.
#   - with --pages, a second venv (.local/peers/pages-venv) with the article extractor of
#     tests/reference/requirements-pages.txt (trafilatura), for bench/parser's pages set only.
# Idempotent: when the pinned set is installed it only checks, in well under a second.
#   scripts/install_peers.sh          install (PyPI must be reachable the first time)
#   scripts/install_peers.sh --pages  install the article extractor's venv (and nothing else)
#   scripts/install_peers.sh --print  print the venv's python and the feedparser tests folder
set -euo pipefail

repo="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
peers="$repo/.local/peers"
venv="$peers/venv"
requirements="$repo/tests/reference/requirements-feeds.txt"
feedparser_version=$(sed -n 's/^feedparser==//p' "$requirements")
feedparser_tests="$peers/feedparser-$feedparser_version/tests"

say() { printf '[install_peers.sh] %s\n' "$*"; }
die() {
  printf '[install_peers.sh] ERROR: %s\n' "$*" >&2
  exit 1
}

python=/usr/bin/python3
[[ -x $python ]] || python=$(command -v python3) || die "python3 not found"
export PIP_CACHE_DIR="$repo/.local/cache/pip" PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

# Makes venv $1 with the pins of $2 unless its stamp (the pins' hash) says it is there.
venv_with() {
  local target=$1 pins=$2 stamp="$1.stamp" want have=""
  want=$(sha256sum "$pins" | cut -d' ' -f1)
  [[ -r $stamp ]] && have=$(<"$stamp")
  [[ $have == "$want" && -x $target/bin/python ]] && return 0
  say "installing $(grep -v '^#' "$pins" | xargs) into $target"
  rm -rf "$target" "$stamp"
  mkdir -p "$(dirname "$target")"
  "$python" -m venv "$target" || die "creating the venv $target failed (is python3-venv installed?)"
  "$target/bin/python" -m pip install -q -r "$pins" || die "pip install -r $pins failed"
  printf '%s\n' "$want" >"$stamp"
}

if [[ ${1:-} == --pages ]]; then
  venv_with "$peers/pages-venv" "$repo/tests/reference/requirements-pages.txt"
  say "reference article extractor: present in $peers/pages-venv"
  exit 0
fi

if [[ ${1:-} == --print ]]; then
  printf 'python=%s\nfeedparser_tests=%s\n' "$venv/bin/python" "$feedparser_tests"
  exit 0
fi

# The stamp holds the requirements' hash: editing a pin reinstalls.
want=$(sha256sum "$requirements" | cut -d' ' -f1)
stamp="$peers/installed.stamp"
have=""
[[ -r $stamp ]] && have=$(<"$stamp")
if [[ $have == "$want" && -x $venv/bin/python && -d $feedparser_tests ]]; then
  say "reference feed parsers: present in $peers"
  exit 0
fi

say "reference feed parsers: installing $(grep -v '^#' "$requirements" | xargs) into $venv"
rm -rf "$venv" "$stamp"
mkdir -p "$peers"
"$python" -m venv "$venv" || die "creating the venv $venv failed (is python3-venv installed?)"
"$venv/bin/python" -m pip install -q -r "$requirements" || die "pip install -r $requirements failed"

# The sdist (not the wheel) carries feedparser's test feeds; only its tests/ folder is kept.
download="$peers/download"
rm -rf "$download" "$peers/feedparser-$feedparser_version"
mkdir -p "$download"
"$venv/bin/python" -m pip download -q --no-deps --no-binary :all: -d "$download" \
  "feedparser==$feedparser_version" ||
  die "downloading the feedparser $feedparser_version sdist failed"
tar -xzf "$download/feedparser-$feedparser_version.tar.gz" -C "$peers" \
  "feedparser-$feedparser_version/tests" || die "unpacking the feedparser sdist failed"
rm -rf "$download"
[[ -d $feedparser_tests ]] || die "the feedparser sdist has no tests/ folder"
printf '%s\n' "$want" >"$stamp"
say "reference feed parsers: installed; $(find "$feedparser_tests" -type f | wc -l) feedparser test files in $feedparser_tests"
