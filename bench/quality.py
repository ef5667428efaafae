"""Issue 19's figures: label errors found, active learning against random picking, speed.

    python bench/quality.py --label-errors          # flip 5 % of sms_spam and waimai_10k train.csv labels
    python bench/quality.py --active [--seeds 3]    # simulated labelling on ag_news, waimai_10k, chnsenticorp_htl
    python bench/quality.py --speed                 # a batch from a 50,000-text pool; label issues of 10,000 rows

**Label errors**: 5 % of the labels of ``train.csv`` moved to another class (seeded); among the
k rows the label check ranks most suspicious (k = the number flipped), the share that are
flipped ones (target ≥ 60 %), and the precision/recall of the rows it lists.

**Active learning**, simulated: the pool is ``train.csv`` with its labels hidden, revealed when a
row is "labelled"; start with 10 labelled rows per class (seeded), then batches of 50 chosen by
the app (:meth:`core.evaluation.active.Pool.propose`) or at random; after each batch the quick model is
scored on ``test.csv``. Figure: the labels needed to come within 1 point of the quick model
trained on the whole ``train.csv`` (target: the app needs ≤ 0.6× what random picking needs), per
seed and the mean over seeds.

Appends to ``bench/results/<date>-quality.json`` and rewrites its section of BENCHMARKS.md; the
last line printed is the JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import RESULTS, SHARED, append_results, load, replace_section  # noqa: E402 - after sys.path names bench/

HEADING = "## Better data, fewer labels (issue 19)"
START_PER_CLASS, BATCH, MAX_LABELS = 10, 50, 6000


def label_errors(name: str, seed: int = 1) -> dict:
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.evaluation.labels import label_issues, label_scores
    from core.text import default_config

    data, _ = load(name, None, None)
    rng = np.random.default_rng(seed)
    names = sorted(set(data.labels))
    rows = rng.choice(len(data.labels), int(0.05 * len(data.labels)), replace=False)
    noisy = list(data.labels)
    for row in rows:
        noisy[row] = rng.choice([label for label in names if label != data.labels[row]])
    planted = set(rows.tolist())
    preprocess = default_config(data.texts)
    started = time.perf_counter()
    _, _, _, quality = label_scores(data.texts, noisy, preprocess)
    top = set(np.argsort(quality)[:len(planted)].tolist())
    issues = label_issues(data.texts, noisy, preprocess)
    seconds = time.perf_counter() - started
    listed = {issue.row for issue in issues}
    return {"what": "label_errors", "set": name, "rows": len(noisy), "flipped": len(planted),
            "top_k_flipped_share": round(len(top & planted) / len(planted), 4),
            "listed": len(listed), "listed_precision": round(len(listed & planted) / max(1, len(listed)), 4),
            "listed_recall": round(len(listed & planted) / len(planted), 4), "seconds": round(seconds, 1)}


def active(name: str, seeds: int) -> dict:
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.evaluation.active import Pool
    from core.evaluation.quick import _fit
    from core.text import default_config, tokenize

    data, test = load(name, None, None)
    preprocess = default_config(data.texts)
    pool = Pool(data.texts, preprocess)
    names = sorted(set(data.labels))
    y = np.array([names.index(label) for label in data.labels])
    y_test = np.array([names.index(label) for label in test.labels])
    test_features = pool.vectorizer.transform([tokenize(text, preprocess) for text in test.texts])

    def score(rows) -> float:
        return float(np.mean(_fit(pool.features[rows], y[rows]).predict(test_features) == y_test))

    full = score(np.arange(len(y)))
    target = full - 0.01
    runs = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        start = [int(row) for label in range(len(names))
                 for row in rng.choice(np.flatnonzero(y == label), START_PER_CLASS, replace=False)]
        needed = {}
        for strategy in ("app", "random"):
            labelled = {row: names[y[row]] for row in start}
            curve = [(len(labelled), score(list(labelled)))]
            order = rng.permutation(len(y)) if strategy == "random" else None
            while curve[-1][1] < target and len(labelled) < min(MAX_LABELS, len(y)):
                if strategy == "app":
                    batch = pool.propose(labelled, BATCH, seed=seed)
                else:
                    batch = [int(row) for row in order if row not in labelled][:BATCH]
                labelled.update({row: names[y[row]] for row in batch})
                curve.append((len(labelled), score(list(labelled))))
            needed[strategy] = curve[-1][0] if curve[-1][1] >= target else None
            needed[f"{strategy}_curve"] = curve
        runs.append(needed)
    app = [run["app"] for run in runs]
    rand = [run["random"] for run in runs]
    ratio = (np.mean(app) / np.mean(rand)) if None not in app + rand else None
    return {"what": "active", "set": name, "pool": len(y), "full_accuracy": round(full, 4), "target": round(target, 4),
            "seeds": seeds, "app_labels": app, "random_labels": rand,
            "ratio": round(float(ratio), 3) if ratio is not None else None,
            "curves": [{"app": run["app_curve"], "random": run["random_curve"]} for run in runs]}


def speed() -> list[dict]:
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.evaluation.active import Pool
    from core.evaluation.labels import label_issues
    from core.text import default_config

    rows = []
    data, test = load("online_shopping_10_cats", None, None)
    texts = (data.texts + test.texts)[:60_000]
    pool_texts, labelled_texts = texts[:50_000], texts[50_000:52_000]
    labelled_labels = (data.labels + test.labels)[50_000:52_000]
    preprocess = default_config(pool_texts[:2000])
    started = time.perf_counter()
    pool = Pool(pool_texts, preprocess)
    read = time.perf_counter() - started
    timings = []
    labelled = {}
    for _round in range(3):
        started = time.perf_counter()
        batch = pool.propose(labelled, 20, labelled_texts, labelled_labels)
        timings.append(time.perf_counter() - started)
        labelled.update({row: labelled_labels[row % len(labelled_labels)] for row in batch})
    rows.append({"what": "propose_speed", "pool": len(pool_texts), "read_seconds": round(read, 1),
                 "propose_seconds": [round(value, 2) for value in timings]})
    data, _ = load("waimai_10k", None, None)
    texts, labels = (data.texts * 2)[:10_000], (data.labels * 2)[:10_000]
    started = time.perf_counter()
    label_issues(texts, labels, default_config(texts))
    rows.append({"what": "label_issues_speed", "rows": len(texts), "seconds": round(time.perf_counter() - started, 1)})
    return rows


def section() -> str:
    """The BENCHMARKS.md section from ``bench/results/*-quality.json`` (newest row of each kind and set)."""
    rows = {}
    for path in sorted(RESULTS.glob("*-quality.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            rows[(row["what"], row.get("set"))] = row
    if not rows:
        return ""
    lines = [HEADING, "", "`python bench/quality.py` on this machine (2 cores, no GPU); the quick model is TF-IDF + "
             "logistic regression (C 4, balanced class weights).", ""]
    errors = [row for (what, _), row in sorted(rows.items()) if what == "label_errors"]
    if errors:
        lines += ["Label errors: 5 % of `train.csv` labels flipped to another class (seeded).", "",
                  "| set | rows | flipped | flipped among the k most suspicious (target ≥ 60 %) | rows listed | "
                  "listed that were flipped | flipped that were listed | time (s) |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {row['set']} | {row['rows']:,} | {row['flipped']} | **{row['top_k_flipped_share']:.1%}** "
                  f"({'met' if row['top_k_flipped_share'] >= 0.6 else 'not met'}) | {row['listed']} | "
                  f"{row['listed_precision']:.1%} | {row['listed_recall']:.1%} | {row['seconds']} |" for row in errors]
    learning = [row for (what, _), row in sorted(rows.items()) if what == "active"]
    if learning:
        lines += ["", f"Active learning, simulated: start with {START_PER_CLASS} labels per class, batches of {BATCH}, "
                      "scored on `test.csv`; labels needed to come within 1 point of the quick model trained on all of "
                      "`train.csv` (per seed).", "",
                  "| set | pool | all of train.csv | target | the app's picks | random picks | ratio (target ≤ 0.6) |",
                  "|---|---:|---:|---:|---|---|---:|"]
        for row in learning:
            ratio = f"**{row['ratio']:.2f}** ({'met' if row['ratio'] <= 0.6 else 'not met'})" if row["ratio"] else "–"
            lines.append(f"| {row['set']} | {row['pool']:,} | {row['full_accuracy']:.4f} | {row['target']:.4f} | "
                         f"{', '.join(map(str, row['app_labels']))} | {', '.join(map(str, row['random_labels']))} | {ratio} |")
    if ("propose_speed", None) in rows:
        row = rows[("propose_speed", None)]
        lines += ["", f"A batch of 20 from a pool of {row['pool']:,} Chinese reviews: "
                      f"{', '.join(f'{value:.2f}' for value in row['propose_seconds'])} s (three batches; target ≤ 3 s); "
                      f"reading the pool once (segmenting, TF-IDF): {row['read_seconds']} s."]
    if ("label_issues_speed", None) in rows:
        row = rows[("label_issues_speed", None)]
        lines += ["", f"Label check of {row['rows']:,} rows (waimai_10k): {row['seconds']} s (target ≤ 30 s)."]
    return "\n".join(lines) + "\n"


def write_section() -> None:
    """Put :func:`section` into BENCHMARKS.md in place of the one there (or before the GPU one)."""
    replace_section(HEADING, section())


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label-errors", action="store_true")
    parser.add_argument("--active", action="store_true")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--sets")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        raise SystemExit(f"no data sets at {SHARED}")
    rows = []
    if args.label_errors:
        for name in (args.sets or "sms_spam,waimai_10k").split(","):
            rows.append(label_errors(name))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    if args.active:
        for name in (args.sets or "ag_news,waimai_10k,chnsenticorp_htl").split(","):
            rows.append(active(name, args.seeds))
            print(json.dumps({k: v for k, v in rows[-1].items() if k != "curves"}), file=sys.stderr, flush=True)
    if args.speed:
        rows += speed()
    append_results("quality", rows)
    write_section()
    print(json.dumps(rows, ensure_ascii=False))
    return rows


if __name__ == "__main__":
    main()
