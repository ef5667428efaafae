"""Benchmark: what the live progress reporting costs per epoch (target: under 2 %).

    python bench/progress.py [--rows 2500] [--epochs 3] [--repeats 3]

Trains the same model (Balanced preset of the bundled SMS sample, fixed seed, no early
stopping) with Keras's plain loop and no callback of ours, and with the training worker's
reporter (``core.training.worker.reporter_for``: a JSON line per batch at most 5 a second, written
here to a null stream, and a stop-file check after every batch), alternating the two
``--repeats`` times. Prints the median seconds per epoch of each and the overhead in percent,
and the reporter's own cost per batch timed directly (20,000 calls) as a share of an epoch;
last line JSON. Whole-run timings on a 2-core machine vary by several percent between
identical runs, so the direct figure is the one to read.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from contextlib import redirect_stdout
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.data.dataset import SAMPLES, load_dataset
    from core.text import PreprocessConfig
    from core.training.presets import choose, profile
    from core.training.train import train
    from core.training.worker import reporter_for

    dataset, _ = load_dataset(SAMPLES["sms_spam"].path)
    preset = choose(profile(dataset.texts, dataset.labels, PreprocessConfig()))["balanced"]
    plan = preset.plan({"epochs": args.epochs, "early_stopping_patience": 0}, PreprocessConfig())
    preprocess, config = plan.preprocess, replace(plan.train, baseline=False)
    times = {"plain": [], "reporter": []}
    stop = Path(tempfile.mkdtemp()) / "stop"
    train(dataset, preprocess, plan.model, replace(config, epochs=1))  # warm-up
    for _ in range(args.repeats):
        times["plain"].append(train(dataset, preprocess, plan.model, config).train_seconds / args.epochs)
        with redirect_stdout(io.StringIO()):
            times["reporter"].append(
                train(dataset, preprocess, plan.model, config, reporter_for(stop)).train_seconds / args.epochs)
    plain, reported = statistics.median(times["plain"]), statistics.median(times["reporter"])
    # The same cost measured directly: the reporter's per-batch work, 20,000 calls.

    reporter, calls = reporter_for(stop), 20_000
    started = time.perf_counter()
    with redirect_stdout(io.StringIO()):
        for step in range(calls):
            reporter.on_batch_end(1, step + 1, calls)
            reporter.should_stop()
    per_batch_us = (time.perf_counter() - started) / calls * 1e6
    steps = -(-int(len(dataset) * 0.8) // config.batch_size)
    result = {"seconds_per_epoch": {"plain": round(plain, 3), "reporter": round(reported, 3)},
              "overhead_percent": round((reported - plain) / plain * 100, 2), "runs": times,
              "reporter_us_per_batch": round(per_batch_us, 2),
              "direct_overhead_percent": round(per_batch_us * 1e-6 * steps / plain * 100, 4), "target_percent": 2}
    print(f"plain {plain:.3f} s/epoch, with reporting {reported:.3f} s/epoch", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
