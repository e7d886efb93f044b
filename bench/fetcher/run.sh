#!/usr/bin/env bash
# Fetcher throughput beside wrk, the ceiling, against the same local nginx serving one static
# feed file (keep-alive, loopback). Kafka is stubbed out in the fetcher's figure (see README.md).
#   bench/fetcher/run.sh [BUILD_DIR] [SECONDS] [IN_FLIGHT]     (default build/dev, 10, 1000)
set -euo pipefail
ROOT="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)"
BUILD="$(realpath -m "${1:-$ROOT/build/dev}")"
SECONDS_PER_RUN="${2:-10}"
IN_FLIGHT="${3:-1000}"

# The static server and the load generator come from Debian.
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y wrk nginx-light >/dev/null
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

cmake --build "$BUILD" --target tributary-fetcher-bench

work="$(mktemp -d)"
chmod 755 "$work"  # nginx started as root serves files as an unprivileged worker user
nginx_pid=""
cleanup() {
  if [[ -n "$nginx_pid" ]]; then kill "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A 20 KiB RSS document: the size of a typical feed.
mkdir -p "$work/www" "$work/logs"
{
  echo '<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>'
  for i in $(seq 1 40); do
    echo "<item><guid>$i</guid><title>Item $i</title><description>$(printf 'lorem ipsum %.0s' $(seq 1 30))</description></item>"
  done
  echo '</channel></rss>'
} >"$work/www/feed.xml"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >"$work/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:$port;
    root $work/www;
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
for _ in $(seq 1 50); do
  if curl -fs "http://127.0.0.1:$port/feed.xml" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
url="http://127.0.0.1:$port/feed.xml"
curl -fsS -o /dev/null "$url"  # fail here, not with a ratio of errors
echo "static server: nginx (1 worker) on $url, $(stat -c %s "$work/www/feed.xml") bytes"

# Ceiling: wrk, one thread, as many keep-alive connections as the fetcher has fetches in flight.
wrk_out="$(wrk -t1 -c "$IN_FLIGHT" -d "${SECONDS_PER_RUN}s" "$url")"
echo "$wrk_out"
wrk_rps="$(awk '/Requests\/sec/ {print $2}' <<<"$wrk_out")"

fetcher_out="$("$BUILD/bench/tributary-fetcher-bench" --url "$url" --seconds "$SECONDS_PER_RUN" \
  --in-flight "$IN_FLIGHT")"
echo "$fetcher_out"
fetcher_rps="$(awk '/^FETCHER_RPS/ {print $2}' <<<"$fetcher_out")"
rss="$(awk '/^FETCHER_PEAK_RSS_MIB/ {print $2}' <<<"$fetcher_out")"

python3 - "$fetcher_rps" "$wrk_rps" "$rss" "$IN_FLIGHT" <<'PY'
import sys
fetcher, ceiling, rss, in_flight = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
print(f"RESULT fetcher {fetcher:.0f} req/s vs wrk {ceiling:.0f} req/s = {fetcher / ceiling:.0%} "
      f"of the ceiling (target >= 50%); peak RSS {rss} MiB with {in_flight} in flight "
      f"(target < 150 MiB)")
PY
