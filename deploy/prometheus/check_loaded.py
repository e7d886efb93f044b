#!/usr/bin/env python3
"""Checks a running Prometheus (deploy/local/prometheus.sh) the way an operator would look at
it, without a screenshot: every scrape target up, every rule of the rule file loaded and
healthy after an evaluation, and the recording rules producing series from the stages' metrics.
Waits up to --timeout seconds for all of that; exits 1 naming what is missing.

  check_loaded.py --url http://127.0.0.1:29090 --rules deploy/prometheus/tributary-rules.yaml
    [--timeout 90]
"""
import argparse
import json
import re
import sys
import time
import urllib.parse
import urllib.request


def get(url, path, **params):
    query = ("?" + urllib.parse.urlencode(params)) if params else ""
    with urllib.request.urlopen(url + path + query, timeout=5) as response:
        return json.load(response)["data"]


def problems(url, expected_rules):
    found = []
    targets = get(url, "/api/v1/targets")["activeTargets"]
    down = [f"{t['scrapeUrl']} ({t.get('lastError') or t['health']})"
            for t in targets if t["health"] != "up"]
    if not targets:
        found.append("no scrape target")
    if down:
        found.append("targets not up: " + ", ".join(down))
    loaded = {}
    for group in get(url, "/api/v1/rules")["groups"]:
        for rule in group["rules"]:
            loaded[rule["name"]] = rule
    for name in expected_rules:
        rule = loaded.get(name)
        if rule is None:
            found.append(f"rule {name} not loaded")
        elif rule["health"] != "ok":
            found.append(f"rule {name}: {rule['health']} {rule.get('lastError', '')}")
        elif rule.get("lastEvaluation", "").startswith("0001-"):
            found.append(f"rule {name} not evaluated yet")
    # The stages' own series reach the recording rules (the scheduler's, the consumers' lag).
    for record in ("tributary:source_freshness:ratio", "tributary:consumer_lag:sum"):
        if not get(url, "/api/v1/query", query=record)["result"]:
            found.append(f"{record} has no series yet")
    return found, len(targets), loaded


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--rules", required=True)
    parser.add_argument("--timeout", type=float, default=90)
    args = parser.parse_args()
    # The rule names as the file lists them (`- record: x` / `- alert: X`): no YAML library
    # needed on the machine.
    with open(args.rules) as f:
        expected = re.findall(r"^\s*- (?:record|alert): (\S+)\s*$", f.read(), re.M)
    if not expected:
        sys.exit(f"{args.rules}: no rule found")
    deadline = time.monotonic() + args.timeout
    while True:
        try:
            found, targets, loaded = problems(args.url, expected)
        except OSError as error:
            found, targets, loaded = [f"{args.url} does not answer: {error}"], 0, {}
        if not found:
            firing = sorted(n for n, r in loaded.items() if r.get("state") == "firing")
            alerts = sum(1 for r in loaded.values() if r["type"] == "alerting")
            print(f"  ok prometheus: {targets} targets up, {len(expected)} rules loaded and "
                  f"healthy ({alerts} alerts; firing: {', '.join(firing) or 'none'})")
            return
        if time.monotonic() > deadline:
            sys.exit("prometheus check failed:\n  " + "\n  ".join(found))
        time.sleep(2)


if __name__ == "__main__":
    main()
