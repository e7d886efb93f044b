#!/usr/bin/env python3
"""End-to-end pipeline benchmark: the whole fleet, from the local feed server to rows.

Starts the five binaries (scheduler, fetcher, parser, embedder with --backend, hash by default, loader)
on a fresh topic prefix and a scratch database, against the Kafka and PostgreSQL of
deploy/local/up.sh, and the feed server of deploy/local/feed_server.py. Then:

  1. throughput: enables --feeds sources at once and waits until every item is a row with an
     embedding; items/s = items / (last commit - first fetch), next to the 3,000 items/s target;
  2. latency at a fraction of that load (--load-fraction, 0.5): enables the --paced-feeds sources
     a few at a time so items arrive at that rate, and reports p50/p99 from the fetch
     (items.observed_at, the fetcher's clock) to the commit of the row
     (pg_xact_commit_timestamp; PostgreSQL needs track_commit_timestamp, which up.sh sets),
     next to the 2 s target;
  3. peak RSS (VmHWM) of every binary, next to the 100 MB target.

With --scaling 1,2 it instead runs the throughput part once per replica count, each on a fresh
fleet (N replicas of every stage), topic prefix and database, and prints items/s per count next
to the one-replica figure, and each stage's items per CPU-second (all its replicas together):
the per-core cost a sizing table is made from (bench/pipeline/README.md).

Everything it creates (processes, database, topics) is removed at the end, also on failure.
Usage: bench/pipeline/run.sh [BIN_DIR] [flags]   (see --help)
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STAGES = ["loader", "embedder", "parser", "fetcher", "scheduler"]
TARGET_ITEMS_PER_S = 3000
TARGET_P99_S = 2.0
TARGET_RSS_MB = 100


def say(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def psql(sql, database, check=True):
    result = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", "-d", database,
                             "-c", sql], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"psql failed: {result.stderr.strip()} (SQL: {sql[:200]})")
    return result.stdout.strip()


def peak_rss_mb(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) / 1024 if match else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime, fields 14 and 15 of proc(5), counted after the ")" of the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds():
    """CPU time the whole machine spent busy (every process, every core) since boot."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Bench:
    def __init__(self, args, replicas=1):
        self.args = args
        self.replicas = replicas
        self.bin_dir = Path(args.bin_dir).resolve()
        stamp = f"{int(time.time())}{os.getpid() % 1000}"
        self.prefix = f"bench{stamp}"
        self.database = f"tributary_bench_{stamp}"
        self.work = Path(tempfile.mkdtemp(prefix="tributary-pipeline-bench-"))
        self.processes = {}  # "<stage>" for replica 1, "<stage>-<n>" for the others
        self.admin_ports = {name: free_port() for name in self.names()}
        self.feed_server = None
        self.database_created = False
        self.topics_created = False

    def names(self):
        return [stage if n == 1 else f"{stage}-{n}" for stage in STAGES
                for n in range(1, self.replicas + 1)]

    # ------------------------------------------------------------------ setup and teardown
    def setup(self):
        for stage in STAGES:
            binary = self.bin_dir / f"tributary-{stage}"
            if not os.access(binary, os.X_OK):
                sys.exit(f"{binary} is not built (cmake --build --preset dev)")
        say(f"topics {self.prefix}.* ({os.environ.get('TRIBUTARY_TOPIC_PARTITIONS', '6')} "
            f"partitions) and database {self.database}")
        self.topics_created = True
        subprocess.run([str(REPO / "deploy/local/up.sh")], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "TRIBUTARY_TOPIC_PREFIX": self.prefix})
        psql(f"CREATE DATABASE {self.database}", "postgres")
        self.database_created = True
        subprocess.run([str(self.bin_dir / "tributary"), "migrate", "--log-level", "warn",
                        "--pg-dsn", f"dbname={self.database}"], check=True,
                       stdout=subprocess.DEVNULL)
        self.commit_clock = psql("SHOW track_commit_timestamp", self.database) == "on"
        if not self.commit_clock:
            say("track_commit_timestamp is off (restart PostgreSQL with deploy/local/up.sh "
                "after down.sh): latency ends at items.loaded_at, the loader's transaction "
                "start, which is earlier than the commit")

        total = self.args.feeds + self.args.paced_feeds
        log = open(self.work / "feed_server.log", "w")
        self.feed_server = subprocess.Popen(
            [sys.executable, str(REPO / "deploy/local/feed_server.py"), "--port", "0",
             "--feeds", str(total), "--items", str(self.args.items),
             # Whole-text feeds only: article pages would be work the throughput does not count.
             "--summary-every", "0"],
            stdout=subprocess.PIPE, stderr=log, text=True)
        first_line = self.feed_server.stdout.readline()
        match = re.search(r"on (http://\S+)", first_line)
        if not match:
            raise RuntimeError(f"feed server did not start: {first_line!r}")
        base = match.group(1)
        opml = urllib.request.urlopen(f"{base}/opml", timeout=10).read().decode()
        urls = re.findall(r'xmlUrl="([^"]+)"', opml)
        if len(urls) != total:
            raise RuntimeError(f"OPML lists {len(urls)} feeds, expected {total}")
        # Registered disabled, in order, so ids 1..feeds are the throughput set and the rest the
        # paced set; enabling is what makes the scheduler send them.
        values = ",".join(f"('{u}', false)" for u in urls)
        psql(f"INSERT INTO sources (url, enabled) VALUES {values}", self.database)
        say(f"feed server {base}: {total} feeds x {self.args.items} items, registered disabled")

        common = {
            "TRIBUTARY_KAFKA_BROKERS": os.environ["TRIBUTARY_KAFKA_BROKERS"],
            "TRIBUTARY_TOPIC_PREFIX": self.prefix,
            "TRIBUTARY_LOG_FORMAT": "json",
        }
        dsn = {"TRIBUTARY_PG_DSN": f"postgresql://{os.environ['PGUSER']}@127.0.0.1:"
                                   f"{os.environ['PGPORT']}/{self.database}"}
        per_stage = {
            "loader": {**dsn, "TRIBUTARY_GROUP_ID": f"{self.prefix}-loader",
                       "TRIBUTARY_ANN_INDEX": self.args.ann_index},
            "embedder": {**dsn, "TRIBUTARY_GROUP_ID": f"{self.prefix}-embedder",
                         "TRIBUTARY_BACKEND": self.args.backend,
                         **({"TRIBUTARY_MODEL_DIR": self.args.model_dir}
                            if self.args.backend == "local" else {})},
            "parser": {"TRIBUTARY_GROUP_ID": f"{self.prefix}-parser"},
            # Every feed is on one host (the feed server): lift the politeness limits that would
            # otherwise make this a benchmark of the per-host rate limit.
            "fetcher": {"TRIBUTARY_GROUP_ID": f"{self.prefix}-fetcher",
                        "TRIBUTARY_ALLOW_CIDRS": "127.0.0.0/8",
                        "TRIBUTARY_PER_HOST_RATE": "100000", "TRIBUTARY_PER_HOST_BURST": "1000",
                        "TRIBUTARY_PER_HOST_CONCURRENCY": "64"},
            "scheduler": {**dsn, "TRIBUTARY_ROUND_INTERVAL": "100ms",
                          "TRIBUTARY_BATCH": "2000"},
        }
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("TRIBUTARY_")}
        for name in self.names():
            stage = name.split("-")[0]
            env = {**base_env, **common, **per_stage[stage],
                   "TRIBUTARY_ADMIN_PORT": str(self.admin_ports[name])}
            out = open(self.work / f"{name}.log", "w")
            self.processes[name] = subprocess.Popen(
                [str(self.bin_dir / f"tributary-{stage}")], env=env, stdout=out,
                stderr=subprocess.STDOUT)
        time.sleep(self.args.warmup)
        self.require_running()
        say(f"fleet started ({self.replicas} x {', '.join(STAGES)}); logs in {self.work}")

    def require_running(self):
        for stage, process in self.processes.items():
            if process.poll() is not None:
                tail = (self.work / f"{stage}.log").read_text()[-3000:]
                raise RuntimeError(f"{stage} exited with {process.returncode}:\n{tail}")

    def teardown(self):
        for name in reversed(self.names()):
            process = self.processes.get(name)
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.feed_server:
            self.feed_server.kill()
            self.feed_server.wait()
        if self.args.keep:
            say(f"kept database {self.database} and topics {self.prefix}.*")
            return
        if self.database_created:
            psql(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)", "postgres", check=False)
        if self.topics_created:
            subprocess.run([str(REPO / "deploy/local/bin/kafka-topics"), "--bootstrap-server",
                            os.environ["TRIBUTARY_KAFKA_BROKERS"], "--delete", "--topic",
                            f"{self.prefix}\\..*"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)

    def save_metrics(self, name):
        """Keeps every stage's /metrics next to its log, for finding where the time went."""
        for stage, port in self.admin_ports.items():
            try:
                text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
            except OSError as error:
                text = f"# scrape failed: {error}\n".encode()
            (self.work / f"{stage}.{name}.metrics").write_bytes(text)

    # ------------------------------------------------------------------ measurement
    def row_count(self, first_id, last_id):
        # A row counts once its embedding is there too: that is the end of the pipeline.
        return int(psql(
            "SELECT count(*) FROM items i JOIN item_embeddings e ON e.item_id = i.id "
            f"WHERE i.source_id BETWEEN {first_id} AND {last_id}", self.database))

    def wait_for_rows(self, first_id, last_id, expected, started, pacer=None):
        deadline = started + self.args.timeout
        shown = 0.0
        while True:
            if pacer:
                pacer()
            count = self.row_count(first_id, last_id)
            now = time.monotonic()
            if count >= expected:
                return
            if now > deadline:
                raise RuntimeError(f"only {count} of {expected} rows after {self.args.timeout} s")
            if now - shown >= 2:
                self.require_running()
                say(f"  {count:>7} / {expected} rows")
                shown = now
            time.sleep(0.1 if pacer else 0.25)

    def commit_time(self):
        return "pg_xact_commit_timestamp(i.xmin)" if self.commit_clock else "i.loaded_at"

    def span_seconds(self, first_id, last_id):
        return float(psql(
            f"SELECT extract(epoch FROM max({self.commit_time()}) - min(i.observed_at)) "
            f"FROM items i WHERE i.source_id BETWEEN {first_id} AND {last_id}", self.database))

    def throughput(self):
        feeds, items = self.args.feeds, self.args.items
        expected = feeds * items
        say(f"throughput: enabling {feeds} sources ({expected} items)")
        started = time.monotonic()
        psql(f"UPDATE sources SET enabled = true, next_fetch_at = now() WHERE id <= {feeds}",
             self.database)
        self.wait_for_rows(1, feeds, expected, started)
        wall = time.monotonic() - started
        span = self.span_seconds(1, feeds)
        return {"items": expected, "seconds_first_fetch_to_last_row": span,
                "items_per_s": expected / span, "seconds_enable_to_drained": wall}

    def latency(self, rate):
        first, count, items = self.args.feeds + 1, self.args.paced_feeds, self.args.items
        last = first + count - 1
        expected = count * items
        sources_per_s = rate / items
        say(f"latency: enabling {count} sources at {sources_per_s:.1f}/s = {rate:.0f} items/s")
        started = time.monotonic()
        enabled = [first - 1]

        def pacer():
            due = min(last, first - 1 + int((time.monotonic() - started) * sources_per_s) + 1)
            if due > enabled[0]:
                psql("UPDATE sources SET enabled = true, next_fetch_at = now() "
                     f"WHERE id BETWEEN {enabled[0] + 1} AND {due}", self.database)
                enabled[0] = due

        self.wait_for_rows(first, last, expected, started, pacer)
        row = psql(
            "SELECT percentile_cont(ARRAY[0.5, 0.99, 1.0]) WITHIN GROUP (ORDER BY "
            f"extract(epoch FROM {self.commit_time()} - i.observed_at)) "
            f"FROM items i WHERE i.source_id BETWEEN {first} AND {last}", self.database)
        p50, p99, worst = (float(x) for x in row.strip("{}").split(","))
        span = self.span_seconds(first, last)
        return {"items": expected, "offered_items_per_s": rate,
                "achieved_items_per_s": expected / span, "p50_s": p50, "p99_s": p99,
                "max_s": worst, "clock": "commit" if self.commit_clock else "loaded_at"}

    def run(self):
        results = {"prefix": self.prefix, "ann_index": self.args.ann_index,
                   "backend": self.args.backend,
                   "feeds": self.args.feeds, "paced_feeds":
                   self.args.paced_feeds, "items_per_feed": self.args.items}
        results["throughput"] = self.throughput()
        self.save_metrics("throughput")
        rate = results["throughput"]["items_per_s"] * self.args.load_fraction
        results["latency"] = self.latency(rate)
        self.save_metrics("end")
        results["peak_rss_mb"] = {stage: peak_rss_mb(p.pid) for stage, p in
                                  self.processes.items()}
        # Where the two cores went, for finding the bottleneck (both runs together).
        results["cpu_seconds"] = {stage: cpu_seconds(p.pid) for stage, p in
                                  self.processes.items()}
        results["cpu_seconds"]["feed_server"] = cpu_seconds(self.feed_server.pid)
        if self.args.ann_index == "defer":
            results["index_build"] = self.build_index()
        return results

    def scaling_run(self):
        """The throughput part only, and where the CPU went per stage (replicas summed)."""
        cpu_before = {name: cpu_seconds(p.pid) or 0.0 for name, p in self.processes.items()}
        feed_server_before = cpu_seconds(self.feed_server.pid) or 0.0
        machine_before = machine_cpu_seconds()
        result = self.throughput()
        result["machine_cpu_seconds"] = machine_cpu_seconds() - machine_before
        result["feed_server_cpu_seconds"] = (cpu_seconds(self.feed_server.pid) or 0.0) - \
            feed_server_before
        self.save_metrics("throughput")
        per_stage = {}
        for name, process in self.processes.items():
            used = (cpu_seconds(process.pid) or 0.0) - cpu_before[name]
            stage = name.split("-")[0]
            per_stage[stage] = per_stage.get(stage, 0.0) + used
        result["replicas"] = self.replicas
        result["cpu_seconds"] = per_stage
        result["items_per_cpu_second"] = {
            stage: result["items"] / used for stage, used in per_stage.items() if used > 0}
        return result

    def build_index(self):
        """With --ann-index=defer the HNSW index is built once, after the load."""
        say("building the deferred HNSW index (tributary index build)")
        out = subprocess.run([str(self.bin_dir / "tributary"), "index", "build", "--json",
                              "--pg-dsn", f"dbname={self.database}"],
                             check=True, capture_output=True, text=True).stdout
        built = json.loads(out)[0]
        return {"vectors": built["vectors"], "seconds": built["seconds"]}


def report(results):
    t, lat, rss = results["throughput"], results["latency"], results["peak_rss_mb"]
    print()
    print(f"pipeline, {results['feeds']} feeds x {results['items_per_feed']} items "
          f"({results['backend']} embedder, loader --ann-index={results['ann_index']}, "
          f"1 replica per stage, "
          f"Kafka + PostgreSQL on this machine)")
    print(f"  throughput  {t['items_per_s']:8.0f} items/s   target {TARGET_ITEMS_PER_S}: "
          f"{t['items_per_s'] / TARGET_ITEMS_PER_S:.2f}x   ({t['items']} items, first fetch to "
          f"last row {t['seconds_first_fetch_to_last_row']:.1f} s; enable to drained "
          f"{t['seconds_enable_to_drained']:.1f} s)")
    print(f"  latency     offered {lat['offered_items_per_s']:.0f} items/s, achieved "
          f"{lat['achieved_items_per_s']:.0f}; fetch to {lat['clock']}: p50 "
          f"{lat['p50_s'] * 1000:.0f} ms, p99 {lat['p99_s'] * 1000:.0f} ms "
          f"(target {TARGET_P99_S * 1000:.0f} ms: {lat['p99_s'] / TARGET_P99_S:.2f} of it), "
          f"max {lat['max_s'] * 1000:.0f} ms")
    for stage, mb in rss.items():
        shown = f"{mb:6.1f} MB" if mb is not None else "  exited"
        ratio = f"{mb / TARGET_RSS_MB:.2f} of the {TARGET_RSS_MB} MB target" if mb else ""
        print(f"  peak RSS    {stage:<10} {shown}   {ratio}")
    if "index_build" in results:
        build = results["index_build"]
        both = results["throughput"]["items"] + results["latency"]["items"]
        share = build["seconds"] * results["throughput"]["items"] / both
        with_build = t["items"] / (t["seconds_first_fetch_to_last_row"] + share)
        print(f"  ANN index   deferred; built afterwards over {build['vectors']} vectors in "
              f"{build['seconds']:.1f} s; throughput counting the build: {with_build:.0f} "
              f"items/s ({with_build / TARGET_ITEMS_PER_S:.2f}x)")
    cpu = ", ".join(f"{name} {s:.1f}" for name, s in results["cpu_seconds"].items()
                    if s is not None)
    print(f"  CPU seconds {cpu}")


def report_scaling(runs, args):
    print()
    print(f"pipeline scaling, {args.feeds} feeds x {args.items} items per run ({args.backend} "
          f"embedder, loader --ann-index={args.ann_index}, Kafka + PostgreSQL on this machine, "
          f"{os.cpu_count()} cores)")
    base = runs[0]["items_per_s"]
    for run in runs:
        print(f"  {run['replicas']} replica(s) of every stage: {run['items_per_s']:8.0f} items/s "
              f"({run['items_per_s'] / base:.2f}x the {runs[0]['replicas']}-replica run; first "
              f"fetch to last row {run['seconds_first_fetch_to_last_row']:.1f} s)")
    for run in runs:
        stages = sum(run["cpu_seconds"].values())
        rest = run["machine_cpu_seconds"] - stages - run["feed_server_cpu_seconds"]
        print(f"  {run['replicas']} replica(s): the machine was busy {run['machine_cpu_seconds']:.1f} "
              f"CPU-s from enabling to drained ({run['seconds_enable_to_drained']:.1f} s x "
              f"{os.cpu_count()} cores available): stages {stages:.1f}, feed server "
              f"{run['feed_server_cpu_seconds']:.1f}, the rest (Kafka, PostgreSQL, ...) {rest:.1f}")
    print("  items per CPU-second of each stage (all its replicas), per run:")
    for stage in STAGES:
        cells = ", ".join(f"{run['items_per_cpu_second'].get(stage, float('nan')):9.0f}"
                          for run in runs)
        cpu = ", ".join(f"{run['cpu_seconds'].get(stage, 0.0):.1f}" for run in runs)
        print(f"    {stage:<10} {cells}   (CPU s: {cpu})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin-dir", default=str(REPO / "build/bin"))
    parser.add_argument("--feeds", type=int, default=600, help="sources of the throughput run")
    parser.add_argument("--paced-feeds", type=int, default=300,
                        help="sources of the latency run")
    parser.add_argument("--items", type=int, default=50, help="items per feed")
    parser.add_argument("--load-fraction", type=float, default=0.5,
                        help="latency run rate, as a fraction of the measured throughput")
    parser.add_argument("--ann-index", choices=["build", "defer"], default="build",
                        help="the loader's --ann-index: build (HNSW maintained row by row) or "
                             "defer (built once afterwards, and timed)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds after starting the fleet")
    parser.add_argument("--backend", choices=["hash", "local"], default="hash",
                        help="the embedder's backend: hash (lexical, the fastest) or local "
                             "(the in-process all-MiniLM-L6-v2 of --model-dir)")
    parser.add_argument("--model-dir", default=str(REPO / ".local/models/all-MiniLM-L6-v2"))
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait per run")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the database and topics")
    parser.add_argument("--scaling", default="",
                        help="replica counts, e.g. 1,2: the throughput part once per count, "
                             "each on a fresh fleet, compared (no latency part)")
    args = parser.parse_args()
    for name in ("TRIBUTARY_KAFKA_BROKERS", "PGPORT", "PGUSER"):
        if name not in os.environ:
            sys.exit(f"{name} is not set: run through bench/pipeline/run.sh (it sources "
                     "deploy/local/env.sh)")
    if args.scaling:
        runs = []
        for replicas in (int(n) for n in args.scaling.split(",")):
            bench = Bench(args, replicas)
            try:
                bench.setup()
                runs.append(bench.scaling_run())
            finally:
                bench.teardown()
        report_scaling(runs, args)
        if args.json:
            print(json.dumps(runs))
        return
    bench = Bench(args)
    try:
        bench.setup()
        results = bench.run()
    finally:
        bench.teardown()
    report(results)
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
