#!/usr/bin/env python3
"""sentence-transformers as bench/embedder's peer: encodes the texts of TEXTS (JSON lines with
"text") with the model folder in $TRIBUTARY_MODEL_DIR at batch size 32 on the CPU, writes the
vectors to VECTORS (float32, one after another) and prints "seconds=..." for the encoding alone
(the model is loaded and warmed up before the clock starts).

  sentence_transformers_peer.py TEXTS VECTORS
"""
import json
import os
import sys
import time


def main():
    texts_path, vectors_path = sys.argv[1], sys.argv[2]
    with open(texts_path, encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines if line.strip()]
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(int(os.environ.get("TRIBUTARY_BENCH_THREADS", "2")))
    model = SentenceTransformer(os.environ["TRIBUTARY_MODEL_DIR"], device="cpu")
    model.encode(texts[:32], batch_size=32)  # warm-up
    start = time.perf_counter()
    vectors = model.encode(texts, batch_size=32)
    seconds = time.perf_counter() - start
    np.asarray(vectors, dtype=np.float32).tofile(vectors_path)
    print(f"seconds={seconds:.6f}")


if __name__ == "__main__":
    main()
