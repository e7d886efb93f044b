#!/usr/bin/env bash
# The test command (README): installs what is missing, builds, starts the local Kafka and
# PostgreSQL + pgvector, runs every ctest label (unit, integration, and e2e/chaos as they
# appear), runs unit + integration again under ASan+UBSan, and always stops what it started,
# also on failure or Ctrl-C. Exits non-zero on any failure.
#
#   ./scripts/test.sh                      everything, as CI runs it
#   TRIBUTARY_SKIP_ASAN=1 ./scripts/test.sh   skip the sanitizer pass (quicker local runs)
#   TRIBUTARY_TEST_REGEX=Kafka ./scripts/test.sh   only tests whose name matches
set -euo pipefail

repo="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$repo"
started_at=$SECONDS
jobs=$(nproc)

step() { printf '\n==> [%4ds] %s\n' $((SECONDS - started_at)) "$*"; }

step "install (deploy/local/install.sh, scripts/install_peers.sh)"
deploy/local/install.sh
scripts/install_peers.sh  # feedparser & co.: the differential test's reference, test-only

# ccache keeps repeated runs on one machine fast; its directory lives in the repo's .local so a
# fresh clone starts cold but never shares a cache with another checkout.
export CCACHE_DIR="${CCACHE_DIR:-$repo/.local/ccache}"

step "build (preset ci: warnings are errors)"
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
scripts/check_chart.sh  # Helm chart, compose file, Dockerfile, Grafana dashboard: no services needed

# Services that already ran before this script (a developer's session) are left running; what
# this script starts, it stops.
# shellcheck source=../deploy/local/lib.sh
source deploy/local/lib.sh
stop_services=1
failed_runs=()  # build directories whose ctest run failed: their failures are recapped last
if port_answers "$TRIBUTARY_KAFKA_PORT" && port_answers "$TRIBUTARY_PG_PORT"; then stop_services=0; fi
cleanup() {
  local status=$?
  if ((stop_services)); then
    step "stop the local services (deploy/local/down.sh)"
    deploy/local/down.sh || status=1
  fi
  for build_dir in "${failed_runs[@]}"; do scripts/show_failed_tests.sh "$build_dir" || true; done
  printf '\n==> test.sh finished in %ds with exit status %d\n' $((SECONDS - started_at)) "$status"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "start Kafka and PostgreSQL (deploy/local/up.sh)"
deploy/local/up.sh

ctest_args=(--output-on-failure --no-tests=error -j "$jobs")
[[ -n ${TRIBUTARY_TEST_REGEX:-} ]] && ctest_args+=(-R "$TRIBUTARY_TEST_REGEX")

step "tests: every label (unit, integration, e2e, chaos)"
status=0
ctest --test-dir build/dev "${ctest_args[@]}" || { status=1; failed_runs+=(build/dev); }

if [[ ${TRIBUTARY_SKIP_ASAN:-0} != 1 ]]; then
  step "sanitizers: ASan + UBSan build, unit and integration"
  cmake --preset asan >/dev/null
  cmake --build build/asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    LSAN_OPTIONS="suppressions=$repo/cmake/lsan.supp" \
    ctest --test-dir build/asan -L 'unit|integration' "${ctest_args[@]}" ||
    { status=1; failed_runs+=(build/asan); }
fi

exit "$status"
