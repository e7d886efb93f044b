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

import trafilatura

import peer_timing


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
    peer_timing.run(sys.argv[2:], int(sys.argv[1]), lambda data: 1 if extract(data) else 0)


if __name__ == "__main__":
    main()
