"""Benchmark: the seed recipe against the app's presets and TF-IDF + logistic regression.

    python bench/recipe.py [SETS...] [--presets balanced] [--limit N] [--epochs 10]

The **seed recipe** is the fixed reference of issue 5, written here with plain Keras:
Embedding(128) → LSTM(128) → Dense softmax on ids **pre-padded** to the 95th-percentile length
(no masking), Adam, cross-entropy, batch 64, 10 epochs, no early stopping. The app's presets
train through ``core.train`` exactly as the app does, and TF-IDF + logistic regression through
``core.tfidf``. All three see the same rows: ``train.csv`` minus a seeded, stratified 10 %
validation part (``--limit N``: a stratified sample of N training rows), the same tokens (the
app's automatic tokenizer), and are scored on the whole ``test.csv``.

Prints one line per run and, last, JSON with every figure (accuracy, macro-F1, wall seconds,
epochs run) and the two ratios issue 5 asks about: preset time / recipe time and
preset accuracy - recipe accuracy. Run it on a quiet machine: the times are wall-clock.
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
SHARED = ROOT.parent / "shared" / "datasets"
DEFAULT_SETS = ["sms_spam", "ag_news", "imdb", "chnsenticorp_htl"]


def load(name: str, limit: int | None):
    from core.data import DataSet, load_dataset, stratified_sample

    train, _ = load_dataset(SHARED / name / "train.csv")
    test, _ = load_dataset(SHARED / name / "test.csv")
    if limit and limit < len(train):
        rows = stratified_sample(train.labels, limit, seed=0)
        train = DataSet([train.texts[i] for i in rows], [train.labels[i] for i in rows], train.text_column,
                        train.label_column)
    return train, test


def seed_recipe(train_tokens, train_y, test_tokens, classes: int, epochs: int, seed: int = 42) -> dict:
    """The reference: fixed-length pre-padding, no mask, LSTM(128), Adam, batch 64, ``epochs`` epochs."""
    import keras

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
    return {"probabilities": model.predict(matrix(test_tokens), batch_size=256, verbose=0), "seconds": seconds,
            "epochs": epochs, "length": length}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=DEFAULT_SETS)
    parser.add_argument("--presets", default="balanced", help="comma-separated: fast,balanced,accurate")
    parser.add_argument("--limit", type=int, help="a stratified sample of this many training rows")
    parser.add_argument("--epochs", type=int, default=10, help="the recipe's epochs (10 in the reference)")
    args = parser.parse_args()

    from core.evaluate import classification_metrics
    from core.presets import choose, profile
    from core.text import PreprocessConfig, default_config, tokenize
    from core.tfidf import fit_seconds
    from core.train import TrainConfig, split_dataset, train

    results = []
    for name in args.sets:
        if not (SHARED / name / "train.csv").exists():
            print(f"{name}: not found under {SHARED}", file=sys.stderr)
            continue
        data, test = load(name, args.limit)
        preprocess = default_config(data.texts)
        labels = data.label_names
        # The rows every run trains on: the app's own split with no test part.
        split = split_dataset(data.labels, 0.1, 0.0, 42)
        tokens = [tokenize(text, preprocess) for text in data.texts]
        test_tokens = [tokenize(text, preprocess) for text in test.texts]
        y = np.array([labels.index(label) for label in data.labels])
        rows = {"set": name, "train_rows": len(split.train), "test_rows": len(test.texts), "tokenizer": preprocess.tokenizer}

        def score(predicted):
            metrics = classification_metrics(test.labels, predicted, labels)
            return round(metrics["accuracy"], 4), round(metrics["macro_f1"], 4)

        recipe = seed_recipe([tokens[i] for i in split.train], y[split.train], test_tokens, len(labels), args.epochs)
        accuracy, f1 = score([labels[i] for i in recipe["probabilities"].argmax(axis=1)])
        rows["recipe"] = {"accuracy": accuracy, "macro_f1": f1, "seconds": round(recipe["seconds"], 1),
                          "epochs": recipe["epochs"], "length": recipe["length"]}
        print(f"{name} recipe: {rows['recipe']}", file=sys.stderr)

        model, seconds = fit_seconds([tokens[i] for i in split.train], y[split.train], len(labels))
        accuracy, f1 = score([labels[i] for i in model.predict_proba(test_tokens).argmax(axis=1)])
        rows["tfidf"] = {"accuracy": accuracy, "macro_f1": f1, "seconds": round(seconds, 1)}
        print(f"{name} tfidf: {rows['tfidf']}", file=sys.stderr)

        presets = choose(profile(data.texts, data.labels, preprocess), train_share=0.9)
        for preset_name in args.presets.split(","):
            preset = presets[preset_name]
            config = PreprocessConfig.from_dict({**preprocess.to_dict(), "max_length": preset.max_length})
            train_config = TrainConfig.from_dict({**preset.train.to_dict(), "test_share": 0.0, "baseline": False})
            result = train(data, config, preset.model, train_config)
            accuracy, f1 = score(result.bundle.predict(test.texts))
            run = {"accuracy": accuracy, "macro_f1": f1, "seconds": round(result.train_seconds, 1),
                   "epochs": result.bundle.metrics["epochs"], "estimated_s_per_epoch": preset.seconds_per_epoch}
            run["time_vs_recipe"] = round(run["seconds"] / max(1e-9, rows["recipe"]["seconds"]), 3)
            run["accuracy_vs_recipe"] = round(accuracy - rows["recipe"]["accuracy"], 4)
            run["accuracy_vs_tfidf"] = round(accuracy - rows["tfidf"]["accuracy"], 4)
            rows[preset_name] = run
            print(f"{name} {preset_name}: {run}", file=sys.stderr)
        results.append(rows)
    print(json.dumps({"limit": args.limit, "recipe_epochs": args.epochs, "results": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
