#!/usr/bin/env python3
"""trafilatura (the reference article extractor) as a peer of tributary's parser benchmark, on
the same pages in the same run.

  trafilatura_peer.py ITERATIONS FILE...   prints the line the benchmark reads:
      "bytes=<n> items=<pages with text> seconds=<s> failures=<n> cpu_seconds=<s>"
  trafilatura_peer.py --json FILE          prints {"items": [{"contentText": ...}]}, the shape
      ../shared/tools/extraction-f1.py scores, so its quality can be set beside ours.

Run it with .local/peers/pages-venv/bin/python (scripts/install_peers.sh --pages)."""
import json
import sys
import time

import trafilatura


def extract(data):
    # Bytes, as tributary gets them: the charset is the extractor's to find.
    return trafilatura.extract(data, include_comments=False, include_tables=True)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--json":
        with open(sys.argv[2], "rb") as f:
            text = extract(f.read())
        print(json.dumps({"items": [{"contentText": text or ""}]}))
        return
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    iterations = int(sys.argv[1])
    documents = []
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            documents.append(f.read())
    total_bytes = items = failures = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    for _ in range(iterations):
        for data in documents:
            total_bytes += len(data)
            try:
                items += 1 if extract(data) else 0
            except Exception:  # noqa: BLE001 (a peer's failure is counted, not fatal)
                failures += 1
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(f"bytes={total_bytes} items={items} seconds={seconds:.6f} failures={failures} "
          f"cpu_seconds={cpu:.6f}")


if __name__ == "__main__":
    main()
