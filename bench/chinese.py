"""Benchmark: Chinese segmentation speed, and test accuracy per tokenizer through the CLI.

    python bench/chinese.py speed                 # segmentation throughput (rjieba, jieba if installed)
    python bench/chinese.py accuracy [SETS...] [--tokenizers auto,char,word,jieba] [--models lstm,tfidf]

``speed`` segments the 62,695 ``online_shopping_10_cats`` texts (train + test): target at
least 1 MB/s. It also reports how often rjieba and jieba (when installed) give the same words.

``accuracy`` runs exactly what a user would: ``python -m core train SET/train.csv --out M``
(default settings; ``--tokenizer`` only when one is forced) then ``python -m core evaluate M
SET/test.csv``, and prints test accuracy, macro-F1 and training time for each set and
tokenizer. Targets (issue 4): chnsenticorp_htl, waimai_10k, online_shopping_10_cats ≥ 0.88,
thucnews_titles ≥ 0.85. The last line is JSON with every figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "datasets"
SETS = ["chnsenticorp_htl", "waimai_10k", "thucnews_titles", "online_shopping_10_cats"]
TARGETS = {"chnsenticorp_htl": 0.88, "waimai_10k": 0.88, "thucnews_titles": 0.85, "online_shopping_10_cats": 0.88}


def speed() -> dict:
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import pandas as pd

    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.text import PreprocessConfig, segmenter, tokenize

    folder = SHARED / "online_shopping_10_cats"
    texts = pd.concat([pd.read_csv(folder / "train.csv"), pd.read_csv(folder / "test.csv")])["text"].astype(str).tolist()
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 2**20
    started = time.perf_counter()
    cut = segmenter().cut
    load = time.perf_counter() - started
    started = time.perf_counter()
    words = [cut(text) for text in texts]
    seconds = time.perf_counter() - started
    result = {"texts": len(texts), "megabytes": round(megabytes, 2), "rjieba_load_s": round(load, 3),
              "rjieba_mb_s": round(megabytes / seconds, 2)}
    config = PreprocessConfig(tokenizer="jieba", full_width=True, strip_emoji=True)
    started = time.perf_counter()
    for text in texts:
        tokenize(text, config)
    result["tokenize_mb_s"] = round(megabytes / (time.perf_counter() - started), 2)
    try:
        # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
        import jieba
    except ImportError:
        result["jieba"] = "not installed"
    else:
        jieba.setLogLevel(60)
        started = time.perf_counter()
        jieba.initialize()
        result["jieba_load_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        reference = [jieba.lcut(text) for text in texts]
        result["jieba_mb_s"] = round(megabytes / (time.perf_counter() - started), 2)
        result["same_words_share"] = round(sum(a == b for a, b in zip(words, reference)) / len(texts), 4)
    return result


def _core(*args) -> dict:
    completed = subprocess.run([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT, capture_output=True,
                               text=True)
    if completed.returncode:
        raise SystemExit(f"python -m core {' '.join(map(str, args))} failed: {completed.stderr.strip()[-500:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def accuracy(sets, tokenizers, models=("lstm",)) -> list[dict]:
    rows = []
    for name, tokenizer, model in [(n, t, m) for n in sets for t in tokenizers for m in models]:
        with tempfile.TemporaryDirectory() as tmp:
            extra = [] if tokenizer == "auto" else ["--tokenizer", tokenizer]
            extra += ["--model", "network" if model == "lstm" else model]
            trained = _core("train", SHARED / name / "train.csv", *extra, "--out", Path(tmp) / "m")
            tested = _core("evaluate", Path(tmp) / "m", SHARED / name / "test.csv")
            used = json.loads((Path(tmp) / "m" / "preprocess.json").read_text())["tokenizer"]
        row = {"set": name, "tokenizer": tokenizer if tokenizer != "auto" else f"auto ({used})", "model": model,
               "accuracy": tested["accuracy"], "macro_f1": tested["macro_f1"], "n": tested["n"],
               "epochs": trained["epochs"], "train_seconds": trained["train_seconds"],
               "target": TARGETS.get(name), "ok": tested["accuracy"] >= TARGETS.get(name, 0)}
        rows.append(row)
        print(f"{name:26} {row['tokenizer']:14} {model:6} acc {row['accuracy']:.4f}  macro-F1 {row['macro_f1']:.4f}  "
              f"{row['epochs']} epochs  {row['train_seconds']:.0f} s  target {row['target']}  "
              f"{'ok' if row['ok'] else 'MISSED'}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["speed", "accuracy"])
    parser.add_argument("sets", nargs="*", default=SETS)
    parser.add_argument("--tokenizers", default="auto,char")
    parser.add_argument("--models", default="lstm", help="comma-separated: lstm (the default model), tfidf")
    args = parser.parse_args()
    if not SHARED.exists():
        sys.exit(f"needs the shared data sets at {SHARED}")
    if args.what == "speed":
        result = speed()
        print(f"{result['texts']:,} texts, {result['megabytes']} MB: rjieba {result['rjieba_mb_s']} MB/s "
              f"(dictionary {result['rjieba_load_s']} s), full tokenize {result['tokenize_mb_s']} MB/s; "
              f"jieba {result.get('jieba_mb_s', '-')} MB/s; same words {result.get('same_words_share', '-')}")
        print(json.dumps(result))
    else:
        print(json.dumps(accuracy(args.sets, args.tokenizers.split(","), args.models.split(",")), ensure_ascii=False))


if __name__ == "__main__":
    main()
