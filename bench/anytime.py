"""Benchmark (issue 29): how soon an Automatic run gives a usable model, and how fast every kind
of model answers one text.

    python bench/anytime.py [--sets waimai_10k] [--latency-sets sms_spam,waimai_10k] [--runs 200]

* ``ready``: an Automatic run through the app's local runner (:func:`core.training.jobs.start_training`,
  a worker process, the Balanced preset, ``../shared/datasets/<set>/train.csv``) timed from the
  call — what the Start button does — to the job's first ``ready`` model (stored, loadable), then
  to the end of the run. Target: the first usable model within 5 s on waimai_10k (10,000 short
  texts); the browser test measures the same from the click (``test-artifacts/e2e-29-ready.json``,
  the bundled SMS sample).
* ``latency``: Automatic trained in this process on each set; every candidate's bundle (TF-IDF +
  LR, NB-LR, the SVM, the network, the blend) answers one test text of median length with
  ``Bundle.predict_one`` (preprocessing included, as the Predict page) ``--runs`` times after a
  warm-up. Target: p50 ≤ 5 ms for every kind.

Writes ``bench/results/<date>-anytime.json`` and its section of BENCHMARKS.md; the last line
printed is the JSON. Run it on a quiet machine: the times are wall-clock.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import RESULTS, SHARED, append_results, load, replace_section  # noqa: E402 - after sys.path names bench/
from run import latency  # noqa: E402 - the benches' one way to time a call

HEADING = "## A usable model in seconds, and prediction speed of every kind (issue 29)"
READY_TARGET_S, LATENCY_TARGET_MS = 5.0, 5.0


def ready_run(name: str, log) -> dict:
    """One Automatic run of ``name`` through the local runner: seconds to the first usable model and to the end."""
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.store import ModelStore
    from core.text import default_config
    from core.training.jobs import start_training, wait
    from core.training.presets import choose, profile

    data, _ = load(name, None, None)
    preprocess = default_config(data.texts)
    plan = choose(profile(data.texts, data.labels, preprocess))["balanced"].plan({}, preprocess)
    with tempfile.TemporaryDirectory() as folder:
        store = ModelStore(folder)
        started = time.perf_counter()
        job = start_training(data, plan.preprocess, plan.model, plan.train, "anytime", name, store, kind="auto")
        while not job.snapshot().ready and not job.snapshot().finished:
            time.sleep(0.02)
        ready_seconds = time.perf_counter() - started
        ready = job.snapshot().ready
        usable = store.load(ready["model_id"]).predict([data.texts[0]]) if ready else None
        snapshot = wait(job, timeout=3600)
        total = time.perf_counter() - started
        final = store.load(snapshot.model_id) if snapshot.model_id else None
    row = {"what": "ready", "set": name, "rows": len(data.texts), "ready_seconds": round(ready_seconds, 2),
           "ready_candidate": ready.get("candidate"), "ready_val_accuracy": ready.get("val_accuracy"),
           "answered": bool(usable), "total_seconds": round(total, 1), "state": str(snapshot.state),
           "kept": final.settings.get("auto", {}).get("chosen") if final else None,
           "kept_val_accuracy": round(final.metrics.get("val_accuracy", 0), 4) if final else None,
           "models_stored": 1, "date": str(datetime.date.today())}
    log(f"{name}: usable {row['ready_candidate']} after {row['ready_seconds']} s; done in {row['total_seconds']} s, "
        f"kept {row['kept']}")
    return row


def latency_run(name: str, runs: int, log) -> dict:
    """Every candidate of an in-process Automatic run on ``name``: one text's p50/p95 milliseconds."""
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.text import default_config
    from core.training.presets import choose, profile
    from core.training.train import train_auto

    data, test = load(name, None, None)
    preprocess = default_config(data.texts)
    plan = choose(profile(data.texts, data.labels, preprocess))["balanced"].plan({"test_share": 0.0}, preprocess)
    result = train_auto(data, plan.preprocess, plan.model, replace(plan.train, baseline=False))
    text = sorted(test.texts, key=len)[len(test.texts) // 2]
    kinds = {}
    for candidate, bundle in result.candidates.items():
        kinds[candidate] = {"kind": bundle.kind, **latency(lambda bundle=bundle: bundle.predict_one(text), runs)}
    log(f"{name}: " + ", ".join(f"{k} {v['p50_ms']} ms" for k, v in kinds.items()))
    return {"what": "latency", "set": name, "text_chars": len(text), "runs": runs, "candidates": kinds,
            "date": str(datetime.date.today())}


def section() -> str:
    rows: dict = {}
    for path in sorted(RESULTS.glob("*-anytime.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            rows[(row["what"], row["set"])] = row
    if not rows:
        return ""
    lines = [HEADING, "", "`python bench/anytime.py` on this machine (2 cores, no GPU).", ""]
    ready = [row for (what, _), row in sorted(rows.items()) if what == "ready"]
    if ready:
        lines += ["An Automatic run through the app's local runner (a worker process; the Balanced preset), timed "
                  "from the Start call to the first usable model (stored, answering) and to the end of the run "
                  f"(target: ≤ {READY_TARGET_S:.0f} s to the first model on waimai_10k):", "",
                  "| set | texts | first usable model | after (s) | its validation accuracy | whole run (s) | kept | "
                  "kept's validation accuracy | target |", "|---|---:|---|---:|---:|---:|---|---:|---|"]
        lines += [f"| {row['set']} | {row['rows']:,} | {row['ready_candidate']} | {row['ready_seconds']:.1f} | "
                  f"{row['ready_val_accuracy']:.4f} | {row['total_seconds']:.0f} | {row['kept']} | "
                  f"{row['kept_val_accuracy']:.4f} | "
                  f"{'met' if row['ready_seconds'] <= READY_TARGET_S else '**not met**'} |" for row in ready]
        lines.append("")
    latency = [row for (what, _), row in sorted(rows.items()) if what == "latency"]
    if latency:
        names = ["tfidf", "nblr", "svm", "network", "blend"]
        lines += [f"One text of median length, `Bundle.predict_one` (preprocessing included, as the Predict page), "
                  f"p50 / p95 ms over {latency[0]['runs']} calls after a warm-up (target: p50 ≤ {LATENCY_TARGET_MS:.0f} ms "
                  "for every kind):", "",
                  "| set | text (chars) | " + " | ".join(names) + " | target |", "|---|---:|" + "---:|" * len(names) + "---|"]
        for row in latency:
            found = row["candidates"]
            worst = max(value["p50_ms"] for value in found.values())
            lines.append(f"| {row['set']} | {row['text_chars']} | " + " | ".join(
                f"{found[name]['p50_ms']:.2f} / {found[name]['p95_ms']:.2f}" if name in found else "–" for name in names)
                + f" | {'met' if worst <= LATENCY_TARGET_MS else '**not met**'} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="waimai_10k")
    parser.add_argument("--latency-sets", default="sms_spam,waimai_10k")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)

    def log(line):
        print(line, file=sys.stderr, flush=True)

    if not SHARED.is_dir():
        raise SystemExit(f"no data sets at {SHARED}")
    rows = [ready_run(name, log) for name in args.sets.split(",") if name]
    rows += [latency_run(name, args.runs, log) for name in args.latency_sets.split(",") if name]
    append_results("anytime", rows)
    replace_section(HEADING, section())
    print(json.dumps(rows, ensure_ascii=False))
    return {"rows": rows}


if __name__ == "__main__":
    main()
