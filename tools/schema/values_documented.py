#!/usr/bin/env python3
"""Checks that helm/tributary/README.md documents every value of values.yaml: each key path
(or an ancestor documented as a whole, like `podSecurityContext`) must appear in backticks, a
stage's keys either by name (`embedder.apiKeySecret.key`) or as `<stage>.<key>`.

  yaml2json helm/tributary/values.yaml | values_documented.py
"""
import json
import pathlib
import re
import sys

CHART = pathlib.Path(__file__).resolve().parents[2] / "helm/tributary"
STAGES = {"fetcher", "parser", "embedder", "loader", "scheduler"}


def leaf_paths(node, prefix=""):
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from leaf_paths(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix


def main():
    values = json.load(sys.stdin)
    documented = set(re.findall(r"`([^`\s]+)`", (CHART / "README.md").read_text()))
    missing = []
    for path in leaf_paths(values):
        parts = path.split(".")
        candidates = [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
        if parts[0] in STAGES:
            candidates += [".".join(["<stage>"] + parts[1:i]) for i in range(len(parts), 1, -1)]
        if not any(c in documented for c in candidates):
            missing.append(path)
    if missing:
        sys.exit("helm/tributary/README.md does not document:\n  " + "\n  ".join(missing))
    print(f"  ok every value of helm/tributary/values.yaml is documented in its README")


if __name__ == "__main__":
    main()
