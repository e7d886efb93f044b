#!/usr/bin/env python3
"""Checks that every tributary_* metric a Grafana dashboard or a Prometheus rule file queries is
one the C++ sources register, so renaming a metric without updating them fails
scripts/check_chart.sh.

  check_metrics.py DASHBOARD.json|RULES.json [SOURCE_ROOT...]   (default roots: services common)

A rule file is read as JSON (tools/cmd/yaml2json converts the YAML). A name regex such as
{__name__=~"tributary_(parser|loader)_consumer_lag"} counts as each name it lists.

Names come from two kinds of registration in the sources (tests excluded):
  * literals:  registry.AddCounter("tributary_loader_retries_total", ...), CounterFamily(...), ...
  * per-stage templates in a class: fmt::format("tributary_{}_consumed_total", stage) inside
    Consumer::Consumer, expanded with the stage named wherever a service constructs that class
    (kafka::Consumer consumer(config.kafka, {.stage = "parser", ...}) -> tributary_parser_...),
    or constructs a runtime::StageHost, which builds the consumer, producer and DLQ publisher of
    the stage it names (runtime::StageHost host({.stage = "parser", ...})).
A histogram's series (_bucket, _sum, _count) count as its name.
"""
import json
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
REGISTER = re.compile(
    r"\b(?:AddCounter|AddGauge|AddHistogram|CounterFamily|GaugeFamily|HistogramFamily)\(\s*"
    r"\"(tributary_[a-z0-9_]+)\"")
TEMPLATE = re.compile(r"fmt::format\(\s*\"(tributary_\{\}_[a-z0-9_]+)\"")
CONSTRUCTOR = re.compile(r"^(\w+)::\1\(", re.M)
STAGE_HOST = re.compile(r"\bruntime::StageHost\s+\w+\s*\(\s*\{\s*\.stage\s*=\s*\"([a-z]+)\"", re.S)
HOSTED = {"Consumer", "Producer", "DlqPublisher"}  # what a StageHost constructs
HISTOGRAM_SERIES = re.compile(r"_(bucket|sum|count)$")
NAME = re.compile(r"\btributary_[a-z0-9_]+")
NAME_ALTERNATIVES = re.compile(r"\btributary_\(([a-z0-9_|]+)\)_([a-z0-9_]+)")


def source_files(roots):
    for root in roots:
        for path in sorted((REPO / root).rglob("*.cpp")):
            if "/tests/" in str(path) or path.name.endswith("_test.cpp"):
                continue
            yield path


def registered_names(roots):
    files = {p: p.read_text(errors="replace") for p in source_files(roots)}
    names = set()
    templates = []  # (class name, template)
    for path, text in files.items():
        names.update(REGISTER.findall(text))
        found = TEMPLATE.findall(text)
        if found:
            classes = CONSTRUCTOR.findall(text)
            if len(classes) != 1:
                sys.exit(f"{path.relative_to(REPO)}: per-stage metric names in a file with "
                         f"{len(classes)} constructors; cannot tell which class registers them")
            templates += [(classes[0], t) for t in found]
    hosted_stages = set()
    for text in files.values():
        hosted_stages.update(STAGE_HOST.findall(text))
    for cls, template in templates:
        # Every construction `kafka::<Class> name(...);`: its first lower-case word literal is
        # the stage (the .stage field of a Consumer, the stage argument of the others).
        construct = re.compile(r"\bkafka::" + cls + r"\s+\w+\s*\((.*?)\);", re.S)
        stages = set(hosted_stages) if cls in HOSTED else set()
        for text in files.values():
            for args in construct.findall(text):
                literal = re.search(r"\"([a-z]+)\"", args)
                if literal:
                    stages.add(literal.group(1))
        if not stages:
            sys.exit(f"no construction of kafka::{cls} names a stage; cannot expand {template}")
        names.update(template.replace("{}", s) for s in stages)
    return names


def names_in(expr):
    names = NAME.findall(expr)
    for alternatives, suffix in NAME_ALTERNATIVES.findall(expr):
        names += [f"tributary_{a}_{suffix}" for a in alternatives.split("|")]
    return names


def queried_metrics(path):
    """Metric name -> where it is queried (a panel's title, or a rule's name)."""
    document = json.loads(pathlib.Path(path).read_text())
    used = {}
    def walk(panels):
        for panel in panels:
            for target in panel.get("targets", []):
                for name in names_in(target.get("expr", "")):
                    used.setdefault(name, f"panel '{panel.get('title', '?')}'")
            walk(panel.get("panels", []))
    walk(document.get("panels", []))
    for group in document.get("groups", []):
        for rule in group.get("rules", []):
            for name in names_in(rule.get("expr", "")):
                used.setdefault(name, f"rule '{rule.get('alert') or rule.get('record')}'")
    return used


def main(argv):
    if not argv:
        sys.exit(__doc__)
    roots = argv[1:] or ["services", "common"]
    registered = registered_names(roots)
    used = queried_metrics(argv[0])
    if not used:
        sys.exit(f"{argv[0]}: no tributary_* metric in any panel or rule expression")
    unknown = []
    for name, where in sorted(used.items()):
        base = HISTOGRAM_SERIES.sub("", name)
        if name not in registered and base not in registered:
            unknown.append(f"  {name} ({where})")
    if unknown:
        print(f"FAIL {argv[0]}: metrics that no source registers:\n" + "\n".join(unknown),
              file=sys.stderr)
        sys.exit(1)
    print(f"  ok {len(used)} metric names in {argv[0]}, all among the {len(registered)} "
          f"the sources register")


if __name__ == "__main__":
    main(sys.argv[1:])
