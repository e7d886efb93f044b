#!/usr/bin/env bash
# A real Prometheus beside the local fleet (scripts/demo.sh --prometheus): built from its Go
# module into .local/bin (deploy/prometheus/install_tool.sh), scraping every running stage's
# /metrics on loopback and evaluating deploy/prometheus/tributary-rules.yaml.
#
#   deploy/local/prometheus.sh start   build if needed, write the config, start, wait until ready
#   deploy/local/prometheus.sh check   every target up, every rule loaded, healthy, evaluated
#   deploy/local/prometheus.sh stop
#
# The targets are the stages of the fleet directory (TRIBUTARY_FLEET_DIR, fleet.sh): the admin
# port each one's log says it listens on. Settings: TRIBUTARY_PROMETHEUS_PORT (29090); data,
# config, pid file and log in .local/run/prometheus.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/lib.sh"

readonly RUN_DIR="$TRIBUTARY_LOCAL_DIR/run/prometheus"
readonly FLEET_DIR="${TRIBUTARY_FLEET_DIR:-$TRIBUTARY_LOCAL_DIR/run/fleet}"
readonly PORT="${TRIBUTARY_PROMETHEUS_PORT:-29090}"
readonly URL="http://127.0.0.1:$PORT"
readonly RULES="$TRIBUTARY_REPO_DIR/deploy/prometheus/tributary-rules.yaml"
readonly BINARY="$TRIBUTARY_LOCAL_DIR/bin/prometheus"

running_pid() {
  local pid
  [[ -r $RUN_DIR/prometheus.pid ]] && read -r pid <"$RUN_DIR/prometheus.pid" &&
    [[ $pid =~ ^[0-9]+$ ]] && pid_alive "$pid" && echo "$pid"
  return 0
}

# 127.0.0.1:PORT of every stage in the fleet directory whose process runs.
targets() {
  local pid_file name port
  for pid_file in "$FLEET_DIR"/*.pid; do
    [[ -e $pid_file ]] || continue
    name=$(basename "$pid_file" .pid)
    pid_alive "$(cat "$pid_file")" || continue
    port=$(admin_port_of "$FLEET_DIR/$name.log")
    [[ -n $port ]] && printf '127.0.0.1:%s\n' "$port"
  done
}

start() {
  [[ -z $(running_pid) ]] || { say "prometheus: already running on $URL"; return; }
  "$TRIBUTARY_REPO_DIR/deploy/prometheus/install_tool.sh" prometheus "$TRIBUTARY_LOCAL_DIR/bin"
  mapfile -t found < <(targets)
  ((${#found[@]})) || die "no running stage in $FLEET_DIR to scrape (start the fleet first)"
  require_port_free "$PORT" TRIBUTARY_PROMETHEUS_PORT
  mkdir -p "$RUN_DIR/data"
  {
    echo "global: {scrape_interval: 5s, evaluation_interval: 5s}"
    echo "rule_files: [\"$RULES\"]"
    echo "scrape_configs:"
    echo "  - job_name: tributary"
    echo "    static_configs:"
    printf '      - targets: [%s]\n' "$(printf '"%s", ' "${found[@]}" | sed 's/, $//')"
  } >"$RUN_DIR/prometheus.yml"
  "$BINARY" --config.file="$RUN_DIR/prometheus.yml" --storage.tsdb.path="$RUN_DIR/data" \
    --web.listen-address="127.0.0.1:$PORT" >>"$RUN_DIR/prometheus.log" 2>&1 &
  echo $! >"$RUN_DIR/prometheus.pid"
  for _ in $(seq 100); do
    curl -sf "$URL/-/ready" >/dev/null && break
    pid_alive "$!" || { show_log_tail "$RUN_DIR/prometheus.log" 20; die "prometheus exited"; }
    sleep 0.2
  done
  curl -sf "$URL/-/ready" >/dev/null || die "prometheus did not become ready on $URL"
  say "prometheus: $URL scrapes ${#found[@]} stages and evaluates $RULES"
}

stop() {
  local pid
  pid=$(running_pid)
  [[ -n $pid ]] || return 0
  kill -TERM "$pid"
  for _ in $(seq 100); do pid_alive "$pid" || break; sleep 0.1; done
  rm -f "$RUN_DIR/prometheus.pid"
  say "prometheus: stopped"
}

case "${1:-}" in
  start) start ;;
  check) python3 "$TRIBUTARY_REPO_DIR/deploy/prometheus/check_loaded.py" --url "$URL" --rules "$RULES" ;;
  stop) stop ;;
  *) die "usage: $SCRIPT_NAME start|check|stop" ;;
esac
