#!/usr/bin/env python3
"""Checks that every alert of a Prometheus rule file has a runbook in docs/ops.md: its
runbook_url points at docs/ops.md#<anchor>, a heading of docs/ops.md has that anchor (GitHub's
slug of the heading), and the "Alerts" table of docs/ops.md names the alert. Run by
scripts/check_chart.sh, so renaming a heading or adding an alert without its runbook fails.

  check_runbooks.py RULES.json [OPS.md]   (the rule file as JSON: tools/cmd/yaml2json)
"""
import json
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]


def slug(heading):
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces -> '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def main(argv):
    if not argv:
        sys.exit(__doc__)
    rules = json.loads(pathlib.Path(argv[0]).read_text())
    ops_path = pathlib.Path(argv[1]) if len(argv) > 1 else REPO / "docs/ops.md"
    ops = ops_path.read_text()
    anchors = {slug(m) for m in re.findall(r"^#{2,4} (.+)$", ops, re.M)}
    alerts_section = ops.split("\n## Alerts", 1)[1].split("\n## ", 1)[0] if "\n## Alerts" in ops else ""
    problems = []
    alerts = [r for g in rules.get("groups", []) for r in g.get("rules", []) if "alert" in r]
    for rule in alerts:
        name = rule["alert"]
        url = rule.get("annotations", {}).get("runbook_url", "")
        match = re.search(r"docs/ops\.md#([a-z0-9\-_]+)$", url)
        if not match:
            problems.append(f"{name}: runbook_url '{url}' does not point into docs/ops.md#...")
        elif match.group(1) not in anchors:
            problems.append(f"{name}: docs/ops.md has no heading with the anchor #{match.group(1)}")
        if f"`{name}`" not in alerts_section:
            problems.append(f"{name}: not listed in the 'Alerts' section of docs/ops.md")
    if not alerts:
        problems.append(f"{argv[0]}: no alerting rule")
    if problems:
        print(f"FAIL {argv[0]}:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(1)
    print(f"  ok {len(alerts)} alerts in {argv[0]}, each with its runbook in {ops_path.name}")


if __name__ == "__main__":
    main(sys.argv[1:])
