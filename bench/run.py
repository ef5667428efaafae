"""Benchmarks: the seed recipe, the app's presets, TF-IDF and fastText, side by side.

    python bench/run.py [--quick] [--sets sms_spam,imdb] [--models recipe,balanced,tfidf] [--limit N]
                        [--seeds 42,43,44]

For every data set in ``../shared/datasets/`` (or the ``--sets`` chosen), in this one process:

* **recipe** — the fixed reference (issues 5 and 8), plain Keras: Embedding(128) → LSTM(128) →
  Dense softmax on ids **pre-padded** to the 95th-percentile length (no masking), Adam,
  cross-entropy, batch 64, 10 epochs, no early stopping;
* **fast**, **balanced**, **accurate** — the app's presets through ``core.training.train`` exactly as the
  app trains them (settings chosen by ``core.training.presets.choose`` from the data);
* **tfidf** — TF-IDF + logistic regression through ``core.training.train.train_tfidf`` (the app's model);
* **fasttext** — ``fasttext.train_supervised`` (word bigrams, 5 epochs, learning rate 1.0 — the
  library's default 0.1 is meant for millions of rows and leaves these small sets underfitted:
  ag_news 0.42) on the same tokens; skipped
  with a note when the ``fasttext`` module is absent (``pip install -r bench/requirements.txt``).

All see the same rows (``train.csv`` minus a seeded, stratified 10 % validation part) and the same
tokens (the app's automatic tokenizer), and are scored on ``test.csv``. For each: test accuracy,
macro-F1, training wall time, training examples/s, peak RSS while training (sampled every 20 ms),
single-text latency p50/p95 (warm, a 100-token text, preprocessing included, 200 calls) and batch
prediction throughput; per set, preprocessing throughput (rows/s, MB/s — Chinese segmentation
for Chinese sets).

``--seeds``: the recipe and the presets run once per seed (Keras's initial weights and batch
order; for the presets also which rows validate) and their row shows the mean, with each seed's
figures under ``runs``. On a small set one seed decides little: Balanced on sms_spam scored
0.9855, 0.9903 and 0.9893 with seeds 42, 1 and 2 — 5 of 1,032 test texts apart.

``--quick``: 600 training and 200 test rows per set, 1 epoch for every model, 30 latency calls —
a smoke test in under 5 minutes (CI may run it; its times are never asserted).

Writes ``bench/results/<date>-<machine>[-quick].json`` and, for a full run, regenerates
``BENCHMARKS.md`` from the newest figure of every (set, model) measured on this machine. The last
line printed is the JSON. Run it on a quiet machine: the times are wall-clock.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import replace
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import MARKDOWN, RESULTS, SHARED, PeakMemory, load  # noqa: E402 - bench/common.py: what the benches share

FORMAT = "bench/run.py 1"
MODELS = ["recipe", "fast", "balanced", "accurate", "tfidf", "fasttext"]
PRESETS = ("fast", "balanced", "accurate")
SEED = 42
FASTTEXT_LR = 1.0
# Issue 8's figures: checked and shown in the table, never asserted in CI.
TARGETS = {"p50_ms": 10.0, "sms_texts_per_s": 2000, "imdb_balanced_rss_mb": 3072, "time_ratio": 0.5,
           "tfidf_gap": 0.01}
# Figures a row keeps per seed when a model runs with several (--seeds); the row shows their mean.
SEED_FIGURES = ("seed", "accuracy", "macro_f1", "train_seconds", "epochs")
QUICK = {"limit": 600, "test_limit": 200, "epochs": 1, "latency_runs": 30, "batch_rows": 1000}
FULL = {"limit": None, "test_limit": None, "epochs": None, "latency_runs": 200, "batch_rows": 20_000}


# -- measuring ----------------------------------------------------------------------------------

def latency(call, runs: int) -> dict:
    """p50/p95 milliseconds of ``call()`` over ``runs`` calls after 3 warm-up calls."""
    for _ in range(3):
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(float(np.percentile(times, 50)), 2), "p95_ms": round(float(np.percentile(times, 95)), 2)}


def throughput(call, texts) -> float:
    """Texts per second of ``call(texts)`` (after a warm-up on the first 256)."""
    call(texts[:256])
    started = time.perf_counter()
    call(texts)
    return round(len(texts) / (time.perf_counter() - started), 1)


def text_of(tokens: int, texts, preprocess) -> str:
    """A text of about ``tokens`` tokens under ``preprocess``, made of the set's own texts."""
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.text import tokenize

    joiner = "" if preprocess.tokenizer in ("jieba", "char") else " "
    found: list[str] = []
    for text in texts:
        found += tokenize(text, preprocess)
        if len(found) >= tokens:
            break
    return joiner.join(found[:tokens])


# -- the contenders -----------------------------------------------------------------------------

def seed_recipe(train_tokens, train_y, classes: int, epochs: int, seed: int = SEED):
    """The reference: fixed-length pre-padding, no mask, LSTM(128), Adam, batch 64, ``epochs``
    epochs. Returns ``(predict_tokens, seconds, info)``; ``predict_tokens(token_lists)`` gives
    probabilities."""
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import keras

    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.text import Vocabulary

    keras.utils.set_random_seed(seed)
    vocabulary = Vocabulary.build(train_tokens, 20_000, 2)
    length = int(np.ceil(np.percentile([len(tokens) for tokens in train_tokens], 95)))

    def matrix(token_lists):
        ids = [vocabulary.encode(tokens)[-length:] for tokens in token_lists]
        return keras.utils.pad_sequences(ids, maxlen=length, padding="pre", truncating="pre")

    model = keras.Sequential([keras.Input((length,), dtype="int32"), keras.layers.Embedding(len(vocabulary), 128),
                              keras.layers.LSTM(128), keras.layers.Dense(classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    model.fit(matrix(train_tokens), np.asarray(train_y), batch_size=64, epochs=epochs, verbose=0)
    seconds = time.perf_counter() - started

    def predict(token_lists):
        x = matrix(token_lists)
        if len(x) == 1:
            return np.asarray(model.predict_on_batch(x))
        return model.predict(x, batch_size=256, verbose=0)

    return predict, seconds, {"epochs": epochs, "length": length}


def fasttext_model(train_tokens, train_y, epochs: int):
    """fastText supervised (word bigrams, ``epochs`` epochs, learning rate 1.0, dimension 100) on the same
    tokens. Returns ``(predict_tokens, seconds, info)`` or ``None`` when fastText is absent."""
    try:
        # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
        import fasttext
    except ImportError:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as handle:
        for tokens, label in zip(train_tokens, train_y):
            handle.write(f"__label__{label} " + " ".join(token.replace("\n", " ") for token in tokens) + "\n")
    started = time.perf_counter()
    model = fasttext.train_supervised(handle.name, epoch=epochs, wordNgrams=2, lr=FASTTEXT_LR, verbose=0, seed=SEED,
                                      thread=os.cpu_count() or 1)
    seconds = time.perf_counter() - started
    os.unlink(handle.name)
    classes = len(model.labels)

    def predict(token_lists):
        labels, probabilities = model.predict([" ".join(tokens) for tokens in token_lists], k=classes)
        out = np.zeros((len(token_lists), classes), dtype=np.float32)
        for row, (names, values) in enumerate(zip(labels, probabilities)):
            for name, value in zip(names, values):
                out[row, int(name.removeprefix("__label__"))] = value
        return out

    return predict, seconds, {"epochs": epochs, "word_ngrams": 2, "lr": FASTTEXT_LR}


# -- one data set -------------------------------------------------------------------------------

def preprocessing_speed(texts, preprocess) -> dict:
    """Rows/s and MB/s of :func:`core.text.tokenize` over ``texts`` (dictionary already loaded)."""
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.text import tokenize

    tokenize(texts[0], preprocess)
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 2**20
    started = time.perf_counter()
    for text in texts:
        tokenize(text, preprocess)
    seconds = time.perf_counter() - started
    return {"tokenizer": preprocess.tokenizer, "rows_per_s": round(len(texts) / seconds),
            "mb_per_s": round(megabytes / seconds, 2), "megabytes": round(megabytes, 2)}


def run_set(name: str, models: list[str], settings: dict, log) -> dict:
    """Every model of ``models`` on one data set; returns its row of the results."""
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import keras

    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.base.config import TrainConfig
    from core.models.evaluate import classification_metrics
    from core.text import default_config, tokenize
    from core.training.batching import split_dataset
    from core.training.presets import choose, profile
    from core.training.train import train, train_tfidf

    data, test = load(name, settings["limit"], settings["test_limit"])
    preprocess = default_config(data.texts)
    labels = data.label_names
    split = split_dataset(data.labels, 0.1, 0.0, SEED)  # the app's own split, no test part
    row = {"set": name, "train_rows": len(split.train), "validation_rows": len(split.validation),
           "test_rows": len(test.texts), "classes": len(labels),
           "preprocess": preprocessing_speed(data.texts, preprocess), "models": {}}
    log(f"{name}: preprocessing {row['preprocess']}")
    tokens = [tokenize(text, preprocess) for text in data.texts]
    test_tokens = [tokenize(text, preprocess) for text in test.texts]
    y = np.array([labels.index(label) for label in data.labels])
    train_tokens, train_y = [tokens[i] for i in split.train], y[split.train]
    one_text = text_of(100, test.texts + data.texts, preprocess)
    batch_texts = (test.texts * (settings["batch_rows"] // max(1, len(test.texts)) + 1))[: settings["batch_rows"]]
    row["latency_tokens"] = len(tokenize(one_text, preprocess))
    presets = choose(profile(data.texts, data.labels, preprocess), train_share=0.9)

    def scored(model_name, probabilities, seconds, epochs, peak, extra, predict_texts):
        metrics = classification_metrics(test.labels, [labels[i] for i in probabilities.argmax(axis=1)], labels)
        result = {"accuracy": round(metrics.accuracy, 4), "macro_f1": round(metrics.macro_f1, 4),
                  "train_seconds": round(seconds, 1), "epochs": epochs, "seed": seed,
                  "train_examples_per_s": round(len(split.train) * epochs / max(seconds, 1e-9), 1),
                  "peak_rss_mb": peak, **extra}
        result["latency"] = latency(lambda: predict_texts([one_text]), settings["latency_runs"])
        result["batch_texts_per_s"] = throughput(predict_texts, batch_texts)
        log(f"{name} {model_name}: " + json.dumps({k: v for k, v in result.items() if k != "settings"}))
        earlier = row["models"].get(model_name)
        if earlier is None:
            row["models"][model_name] = result
        else:  # another seed: the row keeps the mean, and each seed's figures
            runs = earlier.pop("runs", None) or [{key: earlier[key] for key in SEED_FIGURES}]
            runs.append({key: result[key] for key in SEED_FIGURES})
            result.update({key: round(float(np.mean([run[key] for run in runs])), 4) for key in SEED_FIGURES
                           if key != "seed"})
            result["seed"] = [run["seed"] for run in runs]
            result["runs"] = runs
            row["models"][model_name] = result

    for model_name, seed in [(name, seed) for name in models
                             for seed in (settings["seeds"] if name in ("recipe", *PRESETS) else [SEED])]:
        keras.backend.clear_session()
        gc.collect()
        if model_name == "recipe":
            with PeakMemory() as peak:
                predict, seconds, info = seed_recipe(train_tokens, train_y, len(labels), settings["epochs"] or 10, seed)
            probabilities = predict(test_tokens)
            scored("recipe", probabilities, seconds, info["epochs"], peak.mb, {"length": info["length"]},
                   lambda texts, predict=predict: predict([tokenize(text, preprocess) for text in texts]))
        elif model_name == "fasttext":
            with PeakMemory() as peak:
                made = fasttext_model(train_tokens, train_y, settings["epochs"] or 5)
            if made is None:
                row["models"]["fasttext"] = {"skipped": "the fasttext module is not installed "
                                                        "(pip install -r bench/requirements.txt)"}
                log(f"{name} fasttext: skipped, not installed")
                continue
            predict, seconds, info = made
            scored("fasttext", predict(test_tokens), seconds, info["epochs"], peak.mb, {"lr": info["lr"]},
                   lambda texts, predict=predict: predict([tokenize(text, preprocess) for text in texts]))
        elif model_name == "tfidf":
            config = TrainConfig(test_share=0.0, baseline=False, seed=SEED)
            with PeakMemory() as peak:
                result = train_tfidf(data, preprocess, config)
            bundle = result.bundle
            scored("tfidf", bundle.predict_proba(test.texts), result.train_seconds, 1, peak.mb, {},
                   bundle.predict_proba)
        elif model_name in PRESETS:
            preset = presets[model_name]
            overrides = {"test_share": 0.0, "seed": seed}   # the app's settings, as core.models.settings.plan_run makes them
            if settings["epochs"]:
                overrides["epochs"] = settings["epochs"]
            plan = preset.plan(overrides, preprocess)
            config, train_config = plan.preprocess, replace(plan.train, baseline=False)
            with PeakMemory() as peak:
                result = train(data, config, plan.model, train_config)
            bundle = result.bundle
            scored(model_name, bundle.predict_proba(test.texts), result.train_seconds, bundle.metrics["epochs"],
                   peak.mb, {"estimated_s_per_epoch": preset.seconds_per_epoch, "length": preset.max_length,
                             "settings": {"model": plan.model.to_dict(), "train": train_config.to_dict()}},
                   bundle.predict_proba)
        else:
            raise SystemExit(f"unknown model {model_name!r}; choose from {', '.join(MODELS)}")
    row["checks"] = checks(row)
    return row


def checks(row: dict) -> dict:
    """Issue 8's comparisons for one set, from whatever models it ran."""
    models = row["models"]
    out = {}
    recipe, balanced, tfidf = models.get("recipe"), models.get("balanced"), models.get("tfidf")
    if recipe and balanced and "accuracy" in recipe:
        out["balanced_minus_recipe"] = round(balanced["accuracy"] - recipe["accuracy"], 4)
        out["balanced_time_ratio"] = round(balanced["train_seconds"] / max(recipe["train_seconds"], 1e-9), 3)
        out["balanced_beats_recipe"] = (out["balanced_minus_recipe"] >= 0
                                        and out["balanced_time_ratio"] <= TARGETS["time_ratio"])
    deep = {name: models[name]["accuracy"] for name in PRESETS if name in models}
    if deep and tfidf:
        best = max(deep, key=deep.get)
        out["best_app_network"] = best
        out["best_network_minus_tfidf"] = round(deep[best] - tfidf["accuracy"], 4)
        out["within_1_point_of_tfidf"] = out["best_network_minus_tfidf"] >= -TARGETS["tfidf_gap"]
    return out


# -- the record ---------------------------------------------------------------------------------

def machine() -> dict:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        memory_gb = None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import tensorflow as tf

    gpus = [gpu.name for gpu in tf.config.list_physical_devices("GPU")]
    key = f"{'gpu' if gpus else 'cpu'}{cores}"
    return {"key": key, "cpu": cpu, "cores": cores, "memory_gb": memory_gb, "gpus": gpus,
            "os": platform.platform(terse=True)}


def versions() -> dict:
    out = {"python": platform.python_version()}
    for package in ("tensorflow", "keras", "scikit-learn", "numpy", "rjieba", "fasttext-numpy2-wheel"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = None
    return out


def summary(results: list[dict]) -> dict:
    """The issue's cross-set figures: the network that meets each of them, or not."""
    out = {}
    for row in results:
        checks = row.get("checks", {})
        balanced = row["models"].get("balanced", {})
        if row["set"] == "sms_spam" and "latency" in balanced:
            out["sms_balanced_p50_ms"] = balanced["latency"]["p50_ms"]
            out["sms_balanced_batch_texts_per_s"] = balanced["batch_texts_per_s"]
        if row["set"] == "imdb" and "peak_rss_mb" in balanced:
            out["imdb_balanced_peak_rss_mb"] = balanced["peak_rss_mb"]
        for name in ("balanced_beats_recipe", "within_1_point_of_tfidf"):
            if name in checks:
                out.setdefault(name, {})[row["set"]] = checks[name]
    return out


def markdown(files: list[Path]) -> str:
    """``BENCHMARKS.md``: the newest figure of every (set, model) in ``files`` (full runs of one
    machine), with the date it was measured."""
    records = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(files, key=lambda p: p.stat().st_mtime)]
    records = [record for record in records if record.get("format") == FORMAT and not record.get("quick")]
    if not records:
        return ""
    cells, prep, dates = {}, {}, {}
    for record in records:  # oldest first: newer figures overwrite
        for row in record["results"]:
            prep[row["set"]] = row["preprocess"]
            for name, figures in row["models"].items():
                cells[(row["set"], name)] = figures
                dates[(row["set"], name)] = record["date"]
    newest = records[-1]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `python bench/run.py` (do not edit by hand): the newest figure of every data set",
        "and model measured on this machine, from `bench/results/*.json`. Test accuracy on each set's",
        "`test.csv`; every model trains on the same rows (`train.csv` minus a seeded, stratified 10 %",
        "validation part) and the same tokens. See the docstring of `bench/run.py` for what each",
        "column means.",
        "",
        f"**Machine:** {newest['machine']['cpu']}, {newest['machine']['cores']} cores, "
        f"{newest['machine']['memory_gb']} GB, {', '.join(newest['machine']['gpus']) or 'no GPU'}; "
        f"{newest['machine']['os']}.  ",
        "**Versions:** " + ", ".join(f"{k} {v}" for k, v in newest["versions"].items() if v) + ".  ",
        f"**Seeds:** {newest['seeds']}.",
        "",
        "| set | model | test acc. | macro-F1 | train s | epochs | train ex./s | peak RSS MB "
        "| 1 text p50 / p95 ms | batch texts/s | measured |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    sets = sorted({name for name, _ in cells}, key=lambda s: (s not in ("sms_spam", "ag_news", "imdb"), s))
    for set_name in sets:
        for model in MODELS:
            figures = cells.get((set_name, model))
            if figures is None:
                lines.append(f"| {set_name} | {model} | not run | | | | | | | | |")
                continue
            if "skipped" in figures:
                lines.append(f"| {set_name} | {model} | skipped: {figures['skipped']} | | | | | | | | |")
                continue
            seeds = f" (mean of {len(figures['runs'])} seeds)" if figures.get("runs") else ""
            lines.append(
                f"| {set_name} | {model}{seeds} | {figures['accuracy']:.4f} | {figures['macro_f1']:.4f} "
                f"| {round(figures['train_seconds'], 1):g} | {round(figures['epochs'], 1):g} | {figures['train_examples_per_s']} "
                f"| {figures['peak_rss_mb']} | {figures['latency']['p50_ms']} / {figures['latency']['p95_ms']} "
                f"| {figures['batch_texts_per_s']} | {dates[(set_name, model)]} |")
    lines += ["", "## Issue 8's figures", "",
              "| set | Balanced − recipe accuracy | Balanced time ÷ recipe time | met (≥ 0 and ≤ 0.5) "
              "| best network − TF-IDF | within 1 point |",
              "|---|---:|---:|---|---:|---|"]
    for set_name in sets:
        row = {"models": {model: cells[(s, model)] for (s, model) in cells if s == set_name}}
        check = checks(row)
        met = {True: "yes", False: "**no**", None: "—"}
        lines.append(
            f"| {set_name} | {check.get('balanced_minus_recipe', '—')} | {check.get('balanced_time_ratio', '—')} "
            f"| {met[check.get('balanced_beats_recipe')]} "
            f"| {check.get('best_network_minus_tfidf', '—')} ({check.get('best_app_network', '—')}) "
            f"| {met[check.get('within_1_point_of_tfidf')]} |")
    sms = cells.get(("sms_spam", "balanced"), {})
    imdb = cells.get(("imdb", "balanced"), {})
    lines += ["",
              f"- Single-text prediction p50 (Balanced, SMS, 100 tokens): "
              f"{sms.get('latency', {}).get('p50_ms', 'not run')} ms (target ≤ {TARGETS['p50_ms']:g}).",
              f"- Batch prediction (Balanced, SMS texts): {sms.get('batch_texts_per_s', 'not run')} texts/s "
              f"(target ≥ {TARGETS['sms_texts_per_s']:,}).",
              f"- Peak RSS training imdb with Balanced: {imdb.get('peak_rss_mb', 'not run')} MB "
              f"(target ≤ {TARGETS['imdb_balanced_rss_mb']:,}).",
              "", "## Preprocessing throughput", "", "| set | tokenizer | rows/s | MB/s |", "|---|---|---:|---:|"]
    for set_name in sets:
        figures = prep[set_name]
        lines.append(f"| {set_name} | {figures['tokenizer']} | {figures['rows_per_s']:,} | {figures['mb_per_s']} |")
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from auto import section  # issue 18's and 19's tables, kept when this file is regenerated
    from quality import section as quality_section

    for part in (section(), quality_section()):
        if part:
            lines += ["", part.rstrip("\n")]
    gpu = sorted(RESULTS.glob("*gpu-check*.json"))
    lines += ["", "## GPU", ""]
    if gpu:
        lines.append(f"`bench/gpu_check.sh` ({gpu[-1].name}):")
        lines += ["", "```json", gpu[-1].read_text(encoding="utf-8").strip(), "```"]
    else:
        lines.append("`bench/gpu_check.sh` has not been run on a GPU machine yet (none was available to "
                     "this project); it prints one JSON line to put here.")
    return "\n".join(lines) + "\n"


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small subsets, 1 epoch: a smoke test")
    parser.add_argument("--sets", help="comma-separated data set names (default: every set found)")
    parser.add_argument("--models", default=",".join(MODELS), help=f"comma-separated, from {','.join(MODELS)}")
    parser.add_argument("--limit", type=int, help="a stratified sample of this many training rows")
    parser.add_argument("--seeds", default=str(SEED),
                        help=f"comma-separated random seeds for the recipe and the presets (default {SEED}); with "
                             "several, each runs once per seed and the results show the mean")
    parser.add_argument("--out", type=Path, help="results file (default bench/results/<date>-<machine>.json)")
    parser.add_argument("--no-markdown", action="store_true", help="do not regenerate BENCHMARKS.md")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    def log(line):
        print(line, file=sys.stderr, flush=True)

    settings = dict(QUICK if args.quick else FULL)
    if args.limit:
        settings["limit"] = args.limit
    settings["seeds"] = [int(seed) for seed in args.seeds.split(",")]
    available = sorted(path.name for path in SHARED.glob("*") if (path / "train.csv").exists())
    sets = args.sets.split(",") if args.sets else available
    missing = [name for name in sets if name not in available]
    if missing:
        raise SystemExit(f"not found under {SHARED}: {', '.join(missing)}")
    models = args.models.split(",")
    unknown = [name for name in models if name not in MODELS]
    if unknown:
        raise SystemExit(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")

    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.training.train import configure_devices

    configure_devices()
    started = time.perf_counter()
    record = {"format": FORMAT, "date": datetime.date.today().isoformat(), "quick": args.quick,
              "machine": machine(), "versions": versions(), "settings": settings,
              "seeds": {"split": SEED, "keras": settings["seeds"], "fasttext": SEED, "sample": 0}, "targets": TARGETS,
              "results": []}
    for name in sets:
        record["results"].append(run_set(name, models, settings, log))
    record["summary"] = summary(record["results"])
    record["wall_seconds"] = round(time.perf_counter() - started, 1)
    out = args.out or RESULTS / f"{record['date']}-{record['machine']['key']}{'-quick' if args.quick else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists() and not args.out:  # a second run the same day: keep both
        out = out.with_name(f"{out.stem}-{datetime.datetime.now():%H%M%S}.json")
    out.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    log(f"results: {out}")
    if not args.quick and not args.no_markdown:
        key = record["machine"]["key"]
        text = markdown([path for path in RESULTS.glob(f"*-{key}*.json") if "gpu-check" not in path.name])
        MARKDOWN.write_text(text, encoding="utf-8")
        log(f"table: {MARKDOWN}")
    print(json.dumps({"results": str(out), "wall_seconds": record["wall_seconds"], "summary": record["summary"]},
                     ensure_ascii=False))
    return record


if __name__ == "__main__":
    main()
