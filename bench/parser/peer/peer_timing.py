"""The timing loop every Python peer of bench/parser shares: read the files into memory, run one
extractor over them ITERATIONS times, and print the line the benchmark reads:
"bytes=<n> items=<n> seconds=<s> failures=<n> cpu_seconds=<s>"."""
import time


def run(paths, iterations, count_items):
    """`count_items(data)` parses one document (bytes) and returns how many items it gave."""
    documents = []
    for path in paths:
        with open(path, "rb") as f:
            documents.append(f.read())
    total_bytes = items = failures = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    for _ in range(iterations):
        for data in documents:
            total_bytes += len(data)
            try:
                items += count_items(data)
            except Exception:  # noqa: BLE001 (a peer's failure is counted, not fatal)
                failures += 1
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(f"bytes={total_bytes} items={items} seconds={seconds:.6f} failures={failures} "
          f"cpu_seconds={cpu:.6f}")
