#!/usr/bin/env python3
"""Python feed parsers as peers of tributary's parser benchmark: feedparser (pure Python) and
feedparser-rs (its Rust reimplementation, a Python extension), on the same files in one run.

  python_peer.py feedparser|feedparser_rs ITERATIONS FILE...

Prints the line the benchmark reads: "bytes=<n> items=<n> seconds=<s> failures=<n>
cpu_seconds=<s>". Run it with .local/peers/venv/bin/python (scripts/install_peers.sh)."""
import importlib
import sys
import time


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    library = importlib.import_module(sys.argv[1])
    iterations = int(sys.argv[2])
    documents = []
    for path in sys.argv[3:]:
        with open(path, "rb") as f:
            documents.append(f.read())
    total_bytes = items = failures = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    for _ in range(iterations):
        for data in documents:
            total_bytes += len(data)
            try:
                items += len(library.parse(data).entries)
            except Exception:  # noqa: BLE001 (a peer's failure is counted, not fatal)
                failures += 1
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(f"bytes={total_bytes} items={items} seconds={seconds:.6f} failures={failures} "
          f"cpu_seconds={cpu:.6f}")


if __name__ == "__main__":
    main()
