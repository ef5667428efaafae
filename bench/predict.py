"""Benchmark: single-text latency and whole-file throughput of a default-size model.

    python bench/predict.py [--tokens 100] [--runs 200] [--rows 20000]

Trains a default-size model (embedding 128, LSTM 128) for one epoch on the bundled SMS sample
(padding length at least ``--tokens``), then measures on this machine's CPU:

* ``single``: ``Bundle.predict_one`` on a text of exactly ``--tokens`` tokens, preprocessing
  included, ``--runs`` times after a warm-up. Targets: p50 under 10 ms, p95 under 30 ms.
* ``batch``: :func:`core.service.batch.predict_table` on ``--rows`` SMS texts (the sample repeated), the
  path of the Predict page's file upload and ``python -m core predict --file``. Target: at
  least 2,000 texts/s.

Last line: JSON with every figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=100)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()

    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import pandas as pd

    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.data.dataset import SAMPLES, load_dataset
    from core.models.model import ModelConfig
    from core.service.batch import predict_table
    from core.text import PreprocessConfig, tokenize
    from core.training.train import TrainConfig, train

    dataset, _ = load_dataset(SAMPLES["sms_spam"].path)
    bundle = train(dataset, PreprocessConfig(max_length=max(args.tokens, 8)), ModelConfig(),
                   TrainConfig(epochs=1, baseline=False)).bundle
    words = " ".join(dataset.texts).split()
    text = " ".join(words[: args.tokens * 2])
    while len(tokenize(text, bundle.preprocess)) > args.tokens:
        text = text.rsplit(" ", 1)[0]
    bundle.predict_one(text)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        bundle.predict_one(text)
        times.append((time.perf_counter() - started) * 1000)
    single = {"tokens": len(tokenize(text, bundle.preprocess)), "runs": args.runs,
              "p50_ms": round(float(np.percentile(times, 50)), 2), "p95_ms": round(float(np.percentile(times, 95)), 2)}
    print(f"single text: {single}", file=sys.stderr)

    texts = (dataset.texts * (args.rows // len(dataset.texts) + 1))[: args.rows]
    frame = pd.DataFrame({"text": texts})
    predict_table(bundle, frame.head(500), ["text"])
    started = time.perf_counter()
    predict_table(bundle, frame, ["text"])
    seconds = time.perf_counter() - started
    batch = {"rows": len(texts), "seconds": round(seconds, 2), "texts_per_s": round(len(texts) / seconds),
             "mean_chars": round(float(np.mean([len(t) for t in texts])), 1)}
    print(f"batch: {batch}", file=sys.stderr)
    print(json.dumps({"single": single, "batch": batch,
                      "targets": {"p50_ms": 10, "p95_ms": 30, "texts_per_s": 2000}}))


if __name__ == "__main__":
    main()
