"""Benchmark: time to explain one prediction (occlusion over every token, one batch).

    python bench/explain.py [--tokens 100] [--runs 30]

Trains a default-size model (embedding 128, LSTM 128) for one epoch on the bundled SMS sample
with a padding length of at least ``--tokens``, then explains a text of exactly that many
tokens ``--runs`` times after one warm-up call. Target: under 200 ms for 100 tokens on this
machine's CPU. Last line: JSON with p50/p95/max in milliseconds.
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
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.data.dataset import SAMPLES, load_dataset
    from core.evaluation.explain import explain
    from core.models.model import ModelConfig
    from core.text import PreprocessConfig, tokenize
    from core.training.train import TrainConfig, train

    dataset, _ = load_dataset(SAMPLES["sms_spam"].path)
    preprocess = PreprocessConfig(max_length=max(args.tokens, 8))
    bundle = train(dataset, preprocess, ModelConfig(), TrainConfig(epochs=1)).bundle
    words = " ".join(dataset.texts).split()
    text = " ".join(words[: args.tokens * 2])
    while len(tokenize(text, bundle.preprocess)) > args.tokens:
        text = text.rsplit(" ", 1)[0]
    count = len(tokenize(text, bundle.preprocess))
    explain(bundle, text)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        explain(bundle, text)
        times.append((time.perf_counter() - started) * 1000)
    result = {"tokens": count, "runs": args.runs, "p50_ms": round(float(np.percentile(times, 50)), 1),
              "p95_ms": round(float(np.percentile(times, 95)), 1), "max_ms": round(max(times), 1),
              "target_ms": 200}
    result["ok"] = result["p95_ms"] < 200
    print(f"explain {count} tokens: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms "
          f"(target < 200 ms: {'ok' if result['ok'] else 'MISSED'})")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
