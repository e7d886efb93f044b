#!/usr/bin/env python3
"""Writes helm/tributary/values.schema.json from its hand-written skeleton plus what each binary's
--help says about its settings, so a misspelled or mistyped key under `<stage>.settings` fails
`helm install` with a message naming the key, and a setting added to or removed from a binary
shows up as a stale schema in scripts/check_chart.sh.

  values_schema.py BIN_DIR            rewrite the schema
  values_schema.py --check BIN_DIR    exit 1 if the schema differs from what it would write
"""
import json
import pathlib
import re
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
SKELETON = REPO / "tools/schema/values.schema.skeleton.json"
SCHEMA = REPO / "helm/tributary/values.schema.json"
STAGES = ["fetcher", "parser", "embedder", "loader", "scheduler"]

# Settings the chart itself renders from other values (kafka.*, log.*, postgres.*, adminPort,
# secret references); a stage's `settings` map must not set them a second way.
CHART_OWNED = {
    "kafka-brokers", "topic-prefix", "politeness-scope", "kafka", "log-format", "log-level", "admin-port",
    "pg-dsn", "pg-statement-timeout", "pg-lock-timeout", "pg-connect-timeout",
    "openai-api-key", "help", "check-config",
}
DURATION = r"^[0-9]+(ms|s|m|h|d)$"


def parse_help(text):
    """Yields (name, is_flag, description, default) per `  --name [VALUE]` block of --help."""
    blocks, current = [], None
    for line in text.splitlines():
        m = re.match(r"^  --([a-z0-9-]+)( VALUE)?$", line)
        if m:
            current = {"name": m.group(1), "flag": m.group(2) is None, "lines": []}
            blocks.append(current)
        elif current is not None and line.startswith("      "):
            current["lines"].append(line.strip())
    for b in blocks:
        desc = " ".join(l for l in b["lines"] if not l.startswith("env TRIBUTARY_"))
        env = next((l for l in b["lines"] if l.startswith("env TRIBUTARY_")), "")
        default = env.split(", default ", 1)[1] if ", default " in env else None
        yield b["name"], b["flag"], desc, default


def setting_schema(is_flag, desc, default):
    """The JSON schema of one setting's value, as precise as --help lets it be."""
    schema = {"description": desc}
    choices = re.search(r"\(one of: ([^)]*)\)", desc)
    if is_flag:
        schema["type"] = "boolean"
    elif choices:
        schema["enum"] = [c.strip() for c in choices.group(1).split(",")]
    elif "(comma-separated)" in desc:
        schema["type"] = ["string", "array"]
        schema["items"] = {"type": "string"}
    elif default is not None and re.fullmatch(DURATION, default):
        schema["type"] = "string"
        schema["pattern"] = DURATION
    elif default is not None and re.fullmatch(r"-?[0-9]+", default):
        schema["type"] = "integer"
    elif default is not None and re.fullmatch(r"-?[0-9]+\.[0-9]+", default):
        schema["type"] = "number"
    else:
        schema["type"] = "string"
    return schema


def stage_settings(bin_dir, stage):
    text = subprocess.run([f"{bin_dir}/tributary-{stage}", "--help"], capture_output=True,
                          text=True, check=True).stdout
    props = {}
    for name, is_flag, desc, default in parse_help(text):
        # Repeatable key=value groups are variables with a suffix (extraEnv), not one setting.
        if name in CHART_OWNED or "(repeatable key=value" in desc:
            continue
        props[name] = setting_schema(is_flag, desc, default)
    return {
        "type": "object",
        "description": f"Settings of tributary-{stage} (its --help), flag names without '--'.",
        "additionalProperties": False,
        "properties": dict(sorted(props.items())),
    }


def render(bin_dir):
    """The skeleton with one strict object per stage: the keys every stage has (stageCommon),
    the stage's own (stageExtra) and its settings."""
    schema = json.loads(SKELETON.read_text())
    common = schema.pop("stageCommon")
    extra = schema.pop("stageExtra")
    for stage in STAGES:
        schema["definitions"][f"settings-{stage}"] = stage_settings(bin_dir, stage)
        props = dict(common)
        props.update(extra[stage])
        props["settings"] = {"$ref": f"#/definitions/settings-{stage}"}
        schema["properties"][stage] = {
            "type": "object",
            "description": f"The {stage} stage (tributary-{stage}).",
            "additionalProperties": False,
            "properties": props,
        }
    return json.dumps(schema, indent=2) + "\n"


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    if len(args) != 1:
        sys.exit(__doc__)
    text = render(args[0])
    if check:
        if not SCHEMA.exists() or SCHEMA.read_text() != text:
            sys.exit(f"{SCHEMA.relative_to(REPO)} is stale (a skeleton edit or a binary's settings "
                     f"changed): run tools/schema/values_schema.py {args[0]}")
        print(f"{SCHEMA.relative_to(REPO)} matches the skeleton and the binaries' --help")
        return
    SCHEMA.write_text(text)
    print(f"wrote {SCHEMA.relative_to(REPO)}")


if __name__ == "__main__":
    main(sys.argv[1:])
