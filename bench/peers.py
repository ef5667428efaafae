"""Benchmark: Automatic beside the strongest classic classifiers (issue 29), on the same splits.

    python bench/peers.py [--sets sms_spam,ag_news] [--automatic]

For each shared set, ``train.csv`` less a seeded, stratified 10 % validation part tunes each peer;
the chosen setting is fitted again on all of ``train.csv`` (the fit seconds are that refit) and
scored on ``test.csv`` (accuracy):

- **TF-IDF + LR**: word 1–2-grams (the app's tokens: words, or jieba words for Chinese), TF-IDF,
  logistic regression, C in {0.25, 1, 4, 16};
- **NB-SVM** (Wang & Manning 2012, the logistic-regression form "NBSVM-LR"): binarised 1–2-gram
  counts scaled by the naive-Bayes log-count ratio, one binary model per class, C as above;
- **LinearSVC word+char**: TF-IDF of word 1–2-grams plus character 2–5-grams (English) or 1–3-grams
  (Chinese), a linear SVM, C as above;
- **fastText** (``fasttext-numpy2-wheel``, bench/requirements.txt): bigrams, epochs in {5, 10, 25}
  × learning rate in {0.25, 0.5, 1.0}, on words and (Chinese) on characters, the better on validation.

Automatic's figure is the newest of ``bench/results/*-auto.json`` for the set (``bench/auto.py``:
Balanced network, TF-IDF and blend chosen on the same 10 % validation part, without unlabelled
texts); ``--automatic`` runs ``bench/auto.py``'s set function here instead (minutes a set).

Writes ``bench/results/<date>-peers.json`` and the section "Peers (issue 29)" of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import RESULTS, load, replace_section  # noqa: E402 - after sys.path names bench/

HEADING = "## Peers (issue 29)"
SETS = ("sms_spam", "ag_news", "imdb", "chnsenticorp_htl", "waimai_10k", "online_shopping_10_cats", "thucnews_titles")
CS = (0.25, 1.0, 4.0, 16.0)
SEED = 42


def _join(tokens) -> str:
    return " ".join(token.replace(" ", "_") for token in tokens)


def features(kind: str, chinese: bool):
    """A scikit-learn vectoriser over ``(tokens joined by spaces, cleaned text)`` pairs."""
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer


    class Pair:
        def __init__(self):
            if kind == "nb":
                self.parts = [CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False,
                                              ngram_range=(1, 2), binary=True, min_df=1)]
            else:
                self.parts = [TfidfVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False,
                                              ngram_range=(1, 2), sublinear_tf=True, min_df=1)]
                if kind == "wordchar":
                    self.parts.append(TfidfVectorizer(analyzer="char_wb" if not chinese else "char",
                                                      ngram_range=(1, 3) if chinese else (2, 5),
                                                      sublinear_tf=True, min_df=2, max_features=300_000))

        def fit_transform(self, pairs):
            return hstack([part.fit_transform([p[0] if i == 0 else p[1] for p in pairs])
                           for i, part in enumerate(self.parts)]).tocsr()

        def transform(self, pairs):
            return hstack([part.transform([p[0] if i == 0 else p[1] for p in pairs])
                           for i, part in enumerate(self.parts)]).tocsr()

    return Pair()


def fit_lr(x, y, c):
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=2000, solver="liblinear" if len(set(y)) == 2 else "lbfgs").fit(x, y)


def fit_svc(x, y, c):
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from sklearn.svm import LinearSVC

    return LinearSVC(C=c, max_iter=5000).fit(x, y)


class NbLr:
    """NBSVM-LR: per class, binary logistic regression on x ⊙ r, r the log-count ratio."""

    def __init__(self, c: float):
        self.c = c

    def fit(self, x, y):
        # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
        from sklearn.linear_model import LogisticRegression

        y = np.asarray(y)
        self.classes_ = np.unique(y)
        self.models = []
        for label in self.classes_:
            positive = y == label
            p = np.asarray(x[positive].sum(axis=0)).ravel() + 1.0
            q = np.asarray(x[~positive].sum(axis=0)).ravel() + 1.0
            r = np.log((p / p.sum()) / (q / q.sum()))
            model = LogisticRegression(C=self.c, max_iter=2000, solver="liblinear").fit(x.multiply(r).tocsr(), positive)
            self.models.append((r, model))
        return self

    def predict(self, x):
        scores = np.column_stack([model.decision_function(x.multiply(r).tocsr()) for r, model in self.models])
        return self.classes_[scores.argmax(axis=1)]


def tuned(name, make_features, fit, train, validation, full_train, test):
    """The setting best on validation, refitted on all the training texts; ``(test accuracy, c, seconds)``."""
    best = None
    for c in CS:
        vectoriser = make_features()
        model = fit(vectoriser.fit_transform(train[0]), train[1], c)
        accuracy = float(np.mean(model.predict(vectoriser.transform(validation[0])) == np.asarray(validation[1])))
        if best is None or accuracy > best[0]:
            best = (accuracy, c)
    started = time.perf_counter()
    vectoriser = make_features()
    model = fit(vectoriser.fit_transform(full_train[0]), full_train[1], best[1])
    seconds = time.perf_counter() - started
    accuracy = float(np.mean(model.predict(vectoriser.transform(test[0])) == np.asarray(test[1])))
    return {"test_accuracy": round(accuracy, 4), "val_accuracy": round(best[0], 4), "C": best[1],
            "fit_seconds": round(seconds, 2)}


def fasttext_peer(train_tokens, validation_tokens, full_tokens, test_tokens, log):
    try:
        # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
        import fasttext
    except ImportError:
        return {"skipped": "fasttext is not installed (pip install -r bench/requirements.txt)"}

    def write(rows) -> str:
        handle, path = tempfile.mkstemp(suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            for tokens, label in rows:
                file.write(f"__label__{label.replace(' ', '_')} {tokens}\n")
        return path

    def score(model, rows) -> float:
        predicted = [model.predict(tokens)[0][0][len("__label__"):] for tokens, _ in rows]
        return float(np.mean([p == label.replace(" ", "_") for p, (_, label) in zip(predicted, rows)]))

    best = None
    train_path = write(train_tokens)
    for epochs in (5, 10, 25):
        for lr in (0.25, 0.5, 1.0):
            model = fasttext.train_supervised(train_path, epoch=epochs, lr=lr, wordNgrams=2, verbose=0, seed=SEED,
                                              thread=2)
            accuracy = score(model, validation_tokens)
            if best is None or accuracy > best[0]:
                best = (accuracy, epochs, lr)
    full_path = write(full_tokens)
    started = time.perf_counter()
    model = fasttext.train_supervised(full_path, epoch=best[1], lr=best[2], wordNgrams=2, verbose=0, seed=SEED,
                                      thread=2)
    seconds = time.perf_counter() - started
    for path in (train_path, full_path):
        os.unlink(path)
    return {"test_accuracy": round(score(model, test_tokens), 4), "val_accuracy": round(best[0], 4),
            "epochs": best[1], "lr": best[2], "fit_seconds": round(seconds, 2)}


def automatic_figure(name: str) -> dict | None:
    """The newest Automatic test accuracy of ``name`` in bench/results/*-auto.json (without unlabelled texts)."""
    found = None
    for path in sorted(RESULTS.glob("*-auto.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            if row.get("set") == name and not row.get("unlabelled") and "auto_test_accuracy" in row:
                found = {"test_accuracy": row["auto_test_accuracy"], "chosen": row.get("chosen"),
                         "seconds": row.get("seconds"), "from": path.name}
    return found


def run_set(name: str, automatic: bool, log) -> dict:
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.data.dataset import stratified_sample
    from core.text import clean, default_config, tokenize

    data, test = load(name, None, None)
    preprocess = default_config(data.texts)
    chinese = preprocess.tokenizer == "jieba"
    log(f"{name}: {len(data.texts):,} train / {len(test.texts):,} test texts, tokenizer {preprocess.tokenizer}")

    def pairs(texts):
        return [(_join(tokenize(text, preprocess)), clean(text, preprocess)) for text in texts]

    all_pairs, test_pairs = pairs(data.texts), pairs(test.texts)
    held = set(stratified_sample(data.labels, max(2, len(data.labels) // 10), seed=SEED))
    train = ([p for i, p in enumerate(all_pairs) if i not in held], [y for i, y in enumerate(data.labels) if i not in held])
    validation = ([all_pairs[i] for i in sorted(held)], [data.labels[i] for i in sorted(held)])
    full, scored = (all_pairs, data.labels), (test_pairs, test.labels)
    row: dict = {"set": name, "rows": len(data.texts), "test_rows": len(test.texts), "peers": {}}
    peers = row["peers"]
    peers["tfidf_lr"] = tuned("tfidf_lr", lambda: features("word", chinese), fit_lr, train, validation, full, scored)
    log(f"  TF-IDF + LR {peers['tfidf_lr']}")
    peers["nbsvm"] = tuned("nbsvm", lambda: features("nb", chinese), lambda x, y, c: NbLr(c).fit(x, y),
                           train, validation, full, scored)
    log(f"  NB-SVM {peers['nbsvm']}")
    peers["svc_wordchar"] = tuned("svc", lambda: features("wordchar", chinese), fit_svc, train, validation, full, scored)
    log(f"  LinearSVC word+char {peers['svc_wordchar']}")
    variants = {"words": lambda p: p[0]}
    if chinese:
        variants["chars"] = lambda p: " ".join(ch for ch in p[1] if not ch.isspace())
    best_ft = None
    for variant, tokens_of in variants.items():
        result = fasttext_peer(list(zip(map(tokens_of, train[0]), train[1])),
                               list(zip(map(tokens_of, validation[0]), validation[1])),
                               list(zip(map(tokens_of, full[0]), full[1])),
                               list(zip(map(tokens_of, scored[0]), scored[1])), log)
        if "skipped" in result:
            best_ft = result
            break
        result["tokens"] = variant
        if best_ft is None or result["val_accuracy"] > best_ft["val_accuracy"]:
            best_ft = result
    peers["fasttext"] = best_ft
    log(f"  fastText {best_ft}")
    scores = [value["test_accuracy"] for value in peers.values() if "test_accuracy" in value]
    row["best_peer"] = max(scores)
    if automatic:
        # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
        from auto import run_set as auto_set

        made = auto_set(name, False, None, log)
        row["automatic"] = {"test_accuracy": made["auto_test_accuracy"], "chosen": made["chosen"],
                            "seconds": made["seconds"], "from": "this run"}
    else:
        row["automatic"] = automatic_figure(name)
    if row["automatic"]:
        row["automatic_minus_best_peer"] = round(row["automatic"]["test_accuracy"] - row["best_peer"], 4)
    return row


def section(rows: list[dict]) -> str:
    def cell(peer: dict | None) -> str:
        if not peer or "test_accuracy" not in peer:
            return "—"
        return f"{peer['test_accuracy']:.4f} ({peer['fit_seconds']:.1f} s)" if "fit_seconds" in peer \
            else f"{peer['test_accuracy']:.4f}"

    lines = [HEADING, "", f"`python bench/peers.py` on this machine ({rows[0].get('date', datetime.date.today().isoformat())}, "
             "2 cores, no GPU): each peer tuned on a seeded, stratified 10 % validation part of `train.csv`, refitted "
             "on all of it (the seconds are that fit), scored on `test.csv` (accuracy). Automatic: the newest "
             "`bench/auto.py` figure without unlabelled texts (`python bench/peers.py --table` refreshes it; see "
             "[Automatic](#automatic-and-word-vectors-issue-18) for its candidates). Bold: the best peer.", "",
             "| set | TF-IDF + LR | NB-SVM | LinearSVC word+char | fastText (bigrams) | Automatic (kept) | "
             "Automatic − best peer |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        peers = row["peers"]
        best = row["best_peer"]
        cells = []
        for key in ("tfidf_lr", "nbsvm", "svc_wordchar", "fasttext"):
            text = cell(peers.get(key))
            if peers.get(key, {}).get("test_accuracy") == best:
                text = f"**{text}**"
            if key == "fasttext" and peers[key].get("tokens") == "chars":
                text += " chars"
            cells.append(text)
        automatic = row.get("automatic")
        gap = row.get("automatic_minus_best_peer")
        lines.append(f"| {row['set']} | " + " | ".join(cells) + f" | {automatic['test_accuracy']:.4f} "
                     f"({automatic.get('chosen')}) | {gap * 100:+.2f} points |" if automatic
                     else f"| {row['set']} | " + " | ".join(cells) + " | — | — |")
    behind = [row["set"] for row in rows if row.get("automatic_minus_best_peer", 0) < -0.002]
    above = [row["set"] for row in rows if row.get("automatic_minus_best_peer", 0) > 0]
    lines += ["", "Issue 29's targets: Automatic ≥ best peer − 0.2 points on every set — "
              + ("met" if not behind else f"**not met** on {len(behind)} of {len(rows)} ({', '.join(behind)})")
              + f"; above the best peer on at least 4 sets — {'met' if len(above) >= 4 else '**not met**'} "
              f"({len(above)}: {', '.join(above) or 'none'})."]
    return "\n".join(lines) + "\n"


def refresh_table() -> list[dict]:
    """The newest peers' rows with Automatic's newest figures, and the section rewritten from them."""
    path = sorted(RESULTS.glob("*-peers.json"))[-1]
    rows = json.loads(path.read_text(encoding="utf-8"))
    for row in rows:
        row.setdefault("date", path.name[:10])
        row["automatic"] = automatic_figure(row["set"])
        if row["automatic"]:
            row["automatic_minus_best_peer"] = round(row["automatic"]["test_accuracy"] - row["best_peer"], 4)
    replace_section(HEADING, section(rows))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--automatic", action="store_true", help="train Automatic here too (minutes a set)")
    parser.add_argument("--table", action="store_true", help="only rewrite the section: the newest peers' figures "
                                                                "beside Automatic's newest bench/auto.py figures")
    args = parser.parse_args()
    if args.table:
        print(json.dumps(refresh_table()))
        return

    def log(message):
        print(message, file=sys.stderr, flush=True)

    rows = [run_set(name, args.automatic, log) for name in args.sets.split(",")]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{datetime.date.today().isoformat()}-peers.json").write_text(json.dumps(rows, indent=1) + "\n",
                                                                            encoding="utf-8")
    replace_section(HEADING, section(rows))
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
