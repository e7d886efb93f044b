#!/usr/bin/env python3
"""Python feed parsers as peers of tributary's parser benchmark: feedparser (pure Python) and
feedparser-rs (its Rust reimplementation, a Python extension), on the same files in one run.

  python_peer.py feedparser|feedparser_rs ITERATIONS FILE...

Prints the line the benchmark reads: "bytes=<n> items=<n> seconds=<s> failures=<n>
cpu_seconds=<s>". Run it with .local/peers/venv/bin/python (scripts/install_peers.sh)."""
import importlib
import sys

import peer_timing


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    library = importlib.import_module(sys.argv[1])
    peer_timing.run(sys.argv[3:], int(sys.argv[2]), lambda data: len(library.parse(data).entries))


if __name__ == "__main__":
    main()
