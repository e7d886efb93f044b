#!/usr/bin/env bash
# Builds promtool or prometheus from the Prometheus Go module at the pinned version into a
# directory, unless the binary there already is that version (`go version -m` says which
# module built it). Needs Go (/usr/local/go/bin or PATH) and, the first time, the Go module
# proxy; the service-discovery plugins are left out (remove_all_sd): rules and static scrape
# configs need none, and the build takes half as long.
#
#   deploy/prometheus/install_tool.sh promtool|prometheus DIR
set -euo pipefail

# Prometheus 3.x, as its Go module numbers it (v0.316.0 is Prometheus 3.16.0).
readonly PROMETHEUS_MODULE_VERSION=v0.316.0

tool=${1:-}
dir=${2:-}
[[ ($tool == promtool || $tool == prometheus) && -n $dir ]] ||
  { echo "usage: $0 promtool|prometheus DIR" >&2; exit 2; }
export PATH="$PATH:/usr/local/go/bin" GOTOOLCHAIN=local
command -v go >/dev/null || { echo "$0: go not found (expected /usr/local/go/bin/go)" >&2; exit 1; }
if [[ -x $dir/$tool ]] && go version -m "$dir/$tool" 2>/dev/null |
    grep -qE "^\s+mod\s+github.com/prometheus/prometheus\s+$PROMETHEUS_MODULE_VERSION\b"; then
  echo "  $tool $PROMETHEUS_MODULE_VERSION already in $dir"
  exit 0
fi
started=$SECONDS
mkdir -p "$dir"
GOBIN="$(CDPATH='' cd -- "$dir" && pwd -P)" GOFLAGS= go install -tags remove_all_sd \
  "github.com/prometheus/prometheus/cmd/$tool@$PROMETHEUS_MODULE_VERSION"
echo "  installed $tool $PROMETHEUS_MODULE_VERSION into $dir in $((SECONDS - started)) s"
