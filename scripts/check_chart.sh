#!/usr/bin/env bash
# Checks the deployment files without a cluster, Docker, Kafka or PostgreSQL:
#   helm/tributary            lint, values.schema.json, strict Kubernetes API types, and every
#                             rendered container's settings accepted by its own binary
#                             (--check-config), each with negative tests proving the check bites;
#   deploy/compose            the Compose Specification schema and consistency;
#   deploy/docker/Dockerfile  BuildKit's parser and lint rules, and the final stage's promises;
#   deploy/grafana            every metric a panel queries is registered by the C++ sources;
#   deploy/prometheus         promtool check + unit tests of the rules, their metrics registered,
#                             every alert's runbook in docs/ops.md.
# Needs the binaries in build/bin (TRIBUTARY_BIN_DIR overrides), Go (/usr/local/go/bin or PATH)
# and the Go module proxy the first time: helm, promtool and the validators in tools/ are built
# from modules into .local/bin (TRIBUTARY_TOOL_DIR overrides); later runs use the Go caches.
#
#   scripts/check_chart.sh
set -euo pipefail

repo="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$repo"
started_at=$SECONDS
step() { printf '\n==> [check_chart %4ds] %s\n' $((SECONDS - started_at)) "$*"; }
die() { printf 'check_chart.sh: %s\n' "$*" >&2; exit 1; }

readonly HELM_VERSION=v3.22.0
# Helm built from source reports Kubernetes 1.20 unless told; render for the oldest version
# the chart supports with everything it uses being GA (PDB unhealthyPodEvictionPolicy: 1.31).
readonly KUBE_VERSION=1.31.0
readonly chart=helm/tributary
readonly all_on=$chart/ci/all-on-values.yaml
bin_dir="${TRIBUTARY_BIN_DIR:-$repo/build/bin}"
tool_dir="${TRIBUTARY_TOOL_DIR:-$repo/.local/bin}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

export PATH="$PATH:/usr/local/go/bin"
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly
command -v go >/dev/null || die "go not found (expected /usr/local/go/bin/go)"
for b in tributary tributary-fetcher tributary-parser tributary-embedder tributary-loader tributary-scheduler; do
  [[ -x $bin_dir/$b ]] || die "$bin_dir/$b is not built (cmake --build --preset ci)"
done

# expect_failure DESCRIPTION PATTERN COMMAND...: the command must fail and say PATTERN.
expect_failure() {
  local what=$1 pattern=$2 out
  shift 2
  if out=$("$@" 2>&1); then
    printf '%s\n' "$out" >&2
    die "negative test passed but must fail: $what"
  fi
  grep -qE -- "$pattern" <<<"$out" || {
    printf '%s\n' "$out" >&2
    die "negative test failed without the expected message /$pattern/: $what"
  }
  printf '  ok fails as it must: %s\n       -> %s\n' "$what" "$(grep -m1 -E -- "$pattern" <<<"$out" | sed 's/^[[:space:]]*//' | cut -c1-160)"
}

# ---------------------------------------------------------------------------------------------
step "tools: helm $HELM_VERSION, promtool, the validators in tools/ (Go module proxy or caches)"
t0=$SECONDS
helm="$tool_dir/helm"
if [[ -x $helm ]] && go version -m "$helm" 2>/dev/null | grep -qE "^\s+mod\s+helm.sh/helm/v3\s+$HELM_VERSION\b"; then
  echo "  helm $HELM_VERSION already in $tool_dir"
else
  GOBIN="$tool_dir" GOFLAGS= go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  echo "  installed helm $HELM_VERSION into $tool_dir in $((SECONDS - t0)) s"
fi
promtool="$tool_dir/promtool"
deploy/prometheus/install_tool.sh promtool "$tool_dir"
t1=$SECONDS
(cd tools && go build -o "$tool_dir/" ./cmd/...)
echo "  built validate-manifests, check-binary-config, validate-compose, lint-dockerfile, yaml2json in $((SECONDS - t1)) s"

# ---------------------------------------------------------------------------------------------
step "values.schema.json is current (tools/schema/values_schema.py against the binaries' --help)"
python3 tools/schema/values_schema.py --check "$bin_dir"

step "every value of $chart/values.yaml is documented in $chart/README.md"
"$tool_dir/yaml2json" "$chart/values.yaml" | python3 tools/schema/values_documented.py

step "helm lint (default values and $all_on, --strict)"
"$helm" lint --strict --kube-version "$KUBE_VERSION" "$chart"
"$helm" lint --strict --kube-version "$KUBE_VERSION" "$chart" -f "$all_on"

step "helm template (default values and every option on)"
render() { "$helm" template tributary "$chart" --namespace tributary --kube-version "$KUBE_VERSION" "$@"; }
render >"$work/default.yaml"
render -f "$all_on" >"$work/all-on.yaml"
echo "  default: $(grep -c '^kind:' "$work/default.yaml") objects; all-on: $(grep -c '^kind:' "$work/all-on.yaml") objects"

step "every rendered object against its Kubernetes API type (unknown fields and wrong types refused)"
for f in default all-on; do
  echo "  $f:"
  "$tool_dir/validate-manifests" "$work/$f.yaml"
done

step "every rendered tributary container's settings, by its own binary (--check-config)"
for f in default all-on; do
  echo "  $f:"
  "$tool_dir/check-binary-config" "$bin_dir" "$work/$f.yaml" | cut -c1-200
done

# ---------------------------------------------------------------------------------------------
step "negative tests: each check above must refuse bad input"
printf 'fetcher:\n  replicas: two\n' >"$work/wrong-type.yaml"
expect_failure "values: fetcher.replicas is a string (values.schema.json)" \
  "replicas.*(integer|got string)" render -f "$work/wrong-type.yaml"
printf 'fetcher:\n  replica: 3\n' >"$work/unknown-key.yaml"
expect_failure "values: misspelled key fetcher.replica (additionalProperties)" \
  "replica" render -f "$work/unknown-key.yaml"
printf 'parser:\n  settings:\n    max-item: 10\n' >"$work/unknown-setting.yaml"
expect_failure "values: parser.settings.max-item is no setting of tributary-parser" \
  "max-item" render -f "$work/unknown-setting.yaml"
printf 'log:\n  level: verbose\n' >"$work/bad-enum.yaml"
expect_failure "values: log.level outside its enum" "level" render -f "$work/bad-enum.yaml"

printf 'fetcher:\n  extraEnv:\n    - {name: TRIBUTARY_MAX_INFLIGHT, value: "10"}\n' >"$work/misspelled-env.yaml"
render -f "$work/misspelled-env.yaml" >"$work/misspelled-env.rendered.yaml"
expect_failure "binary: misspelled TRIBUTARY_MAX_INFLIGHT through fetcher.extraEnv" \
  "TRIBUTARY_MAX_INFLIGHT is set, but no setting" \
  "$tool_dir/check-binary-config" "$bin_dir" "$work/misspelled-env.rendered.yaml"
printf 'kafka:\n  config:\n    sasl.mechanizm: PLAIN\n' >"$work/misspelled-kafka.yaml"
render -f "$work/misspelled-kafka.yaml" >"$work/misspelled-kafka.rendered.yaml"
expect_failure "binary: misspelled librdkafka property sasl.mechanizm through kafka.config" \
  'No such configuration property: "sasl.mechanizm"' \
  "$tool_dir/check-binary-config" "$bin_dir" "$work/misspelled-kafka.rendered.yaml"
printf 'fetcher:\n  settings:\n    max-redirects: 1000000\n' >"$work/out-of-range.yaml"
render -f "$work/out-of-range.yaml" >"$work/out-of-range.rendered.yaml"
expect_failure "binary: fetcher max-redirects out of the binary's range (schema allows any integer)" \
  "TRIBUTARY_MAX_REDIRECTS" "$tool_dir/check-binary-config" "$bin_dir" "$work/out-of-range.rendered.yaml"

expect_failure "API types: livenessProbe at pod level (tools/testdata/unknown-field.yaml)" \
  'unknown field "livenessProbe"' "$tool_dir/validate-manifests" tools/testdata/unknown-field.yaml
expect_failure "API types: PDB selector as a string (tools/testdata/wrong-type.yaml)" \
  "cannot unmarshal string" "$tool_dir/validate-manifests" tools/testdata/wrong-type.yaml
sed 's/enableServiceLinks: false/enableServiceLinks: true/' "$work/default.yaml" >"$work/service-links.yaml"
expect_failure "policy: a pod with service links on" "enableServiceLinks must be false" \
  "$tool_dir/validate-manifests" "$work/service-links.yaml"

# ---------------------------------------------------------------------------------------------
step "deploy/compose/docker-compose.yml (Compose Specification schema, compose-go)"
"$tool_dir/validate-compose" deploy/compose/docker-compose.yml
printf 'services:\n  x:\n    image: busybox\n    depends_on: [y]\n    healthcheck: {interval: often}\n' >"$work/compose-bad.yml"
expect_failure "compose: a bad duration and a missing dependency" "interval|y" \
  "$tool_dir/validate-compose" "$work/compose-bad.yml"
printf 'services:\n  x:\n    imagee: busybox\n' >"$work/compose-unknown.yml"
expect_failure "compose: misspelled service key imagee" "imagee" \
  "$tool_dir/validate-compose" "$work/compose-unknown.yml"

step "deploy/docker/Dockerfile (BuildKit parser and lint rules, final-stage promises)"
"$tool_dir/lint-dockerfile" deploy/docker/Dockerfile
sed 's/^USER 10001:10001$/USER root/' deploy/docker/Dockerfile >"$work/Dockerfile.root"
expect_failure "Dockerfile: final stage as root" "non-root USER" "$tool_dir/lint-dockerfile" "$work/Dockerfile.root"

step "deploy/grafana: every dashboard metric is registered by the sources"
for dashboard in deploy/grafana/*.json; do
  python3 tools/dashboard/check_metrics.py "$dashboard"
done
sed 's/tributary_loader_batch_seconds/tributary_loader_batch_duration_seconds/g' \
  deploy/grafana/tributary-dashboard.json >"$work/renamed-metric.json"
expect_failure "dashboard: a renamed metric" "tributary_loader_batch_duration_seconds" \
  python3 tools/dashboard/check_metrics.py "$work/renamed-metric.json"

step "deploy/prometheus: the rules (promtool check and unit tests), their metrics, their runbooks"
rules=deploy/prometheus/tributary-rules.yaml
"$promtool" check rules "$rules"
"$promtool" test rules deploy/prometheus/tests/*.yaml
"$tool_dir/yaml2json" "$rules" >"$work/rules.json"
python3 tools/dashboard/check_metrics.py "$work/rules.json"
python3 tools/prometheus/check_runbooks.py "$work/rules.json"
grep -q 'kind: PrometheusRule' "$work/all-on.yaml" &&
  grep -q 'alert: TributaryFreshnessSLO' "$work/all-on.yaml" ||
  die "the chart's PrometheusRule (prometheusRule.enabled) does not carry $rules"
sed 's/tributary_ready == 0/tributary_ready = 0/' "$rules" >"$work/bad-syntax.yaml"
expect_failure "rules: an expression that does not parse" "could not parse expression" \
  "$promtool" check rules "$work/bad-syntax.yaml"
mkdir -p "$work/rules-test/tests"
sed 's/tributary_ready == 0/tributary_ready == 1/' "$rules" >"$work/rules-test/tributary-rules.yaml"
cp deploy/prometheus/tests/*.yaml "$work/rules-test/tests/"
expect_failure "rules: TributaryStageNotReady firing on ready stages (its unit test)" \
  "TributaryStageNotReady" "$promtool" test rules "$work/rules-test/tests/tributary-rules.test.yaml"
sed 's/tributary_embedder_quota_exhausted/tributary_embedder_quota_exceeded/g' "$work/rules.json" \
  >"$work/renamed-rule-metric.json"
expect_failure "rules: a metric no source registers" "tributary_embedder_quota_exceeded" \
  python3 tools/dashboard/check_metrics.py "$work/renamed-rule-metric.json"
sed 's/ops.md#slow-loader-writes/ops.md#slow-writes/' "$work/rules.json" >"$work/bad-runbook.json"
expect_failure "rules: a runbook_url to a heading docs/ops.md does not have" "#slow-writes" \
  python3 tools/prometheus/check_runbooks.py "$work/bad-runbook.json"

printf '\n==> check_chart.sh passed in %ds\n' $((SECONDS - started_at))
