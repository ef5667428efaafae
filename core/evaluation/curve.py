"""Will more data help? Test accuracy of the quick model (or of a network's settings) at 10, 20,
40, 70 and 100 % of a model's training rows, and a reading of the curve as a message key and its
parameters (:func:`read_curve`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np

from core.base.errors import UserError
from core.base.i18n import translate
from core.data.dataset import DataSet, stratified_sample
from core.evaluation.quick import _quick_predict, _tokens
from core.text import PreprocessConfig
from core.training.train import train

SHARES = (0.1, 0.2, 0.4, 0.7, 1.0)

def training_rows(texts, labels, test_texts, test_labels) -> tuple[list, list]:
    """The rows of a data set (``texts``, ``labels``) that were not a model's test rows
    (``test_texts``, ``test_labels``; each test row takes one matching row, so a duplicate
    of a test text stays a training row as often as it was one): what the model trained on.

    Examples
    --------
    >>> training_rows(["a", "b", "a", "c"], ["x", "y", "x", "z"], ["a", "c"], ["x", "z"])
    (['b', 'a'], ['y', 'x'])
    """

    held_out = Counter(zip(test_texts, test_labels))
    kept_texts, kept_labels = [], []
    for text, label in zip(texts, labels):
        if held_out[(text, label)]:
            held_out[(text, label)] -= 1          # a test row, not a training one
        else:
            kept_texts.append(text)
            kept_labels.append(label)
    return kept_texts, kept_labels

def learning_curve(train_texts, train_labels, test_texts, test_labels, preprocess: PreprocessConfig | None = None,
                   shares=SHARES, seed: int = 0, network=None, progress=None) -> dict:
    """Test accuracy of a model trained on growing, stratified, seeded shares of the training
    rows: ``{"points": [[share, accuracy], ...], "rows": [n, ...], "reading": .., "reading_key":
    .., "params": {..}, "model": "quick" | "network"}`` (see :func:`read_curve`).

    The quick model (seconds) by default; ``network=(ModelConfig, TrainConfig)`` trains the
    network with those settings at each share instead (minutes: five trainings), its test
    texts scored as the app scores them. ``progress(done, total)`` after each share.
    """
    if not len(test_texts):
        raise UserError("err.curve_no_test")
    if not set(train_labels) & set(test_labels):
        raise UserError("err.curve_other_classes", train=", ".join(sorted(set(train_labels))[:5]),
                        test=", ".join(sorted(set(test_labels))[:5]))
    names = sorted(set(train_labels) | set(test_labels))
    index = {name: i for i, name in enumerate(names)}
    y = np.array([index[label] for label in train_labels])
    y_test = np.array([index[label] for label in test_labels])
    if network is None:
        token_lists, analyzer = _tokens(train_texts, preprocess)
        test_tokens, _ = _tokens(test_texts, preprocess)
    points, sizes = [], []
    for done, share in enumerate(shares, start=1):
        rows = stratified_sample(np.asarray(train_labels, dtype=object), max(len(names), round(share * len(y))), seed)
        if len(set(y[rows])) < 2:
            continue
        if network is None:
            accuracy = float(np.mean(_quick_predict([token_lists[i] for i in rows], y[rows], test_tokens, analyzer)
                                     == y_test))
        else:
            accuracy = _network_accuracy([train_texts[i] for i in rows], [train_labels[i] for i in rows],
                                         test_texts, test_labels, preprocess, *network)
        points.append([float(share), round(accuracy, 4)])
        sizes.append(int(len(rows)))
        if progress is not None:
            progress(done, len(shares))
    key, params = read_curve(points, sizes, len(names))

    return {"points": points, "rows": sizes, "reading_key": key, "params": params,
            "reading": translate(key, "en", **params), "model": "quick" if network is None else "network"}

def _network_accuracy(texts, labels, test_texts, test_labels, preprocess, model_config, train_config) -> float:
    """Test accuracy of the network trained on ``texts`` (its own validation part, no test split)."""

    config = replace(train_config, test_share=0.0, baseline=False, checkpoint=False)
    result = train(DataSet(list(texts), list(labels), "text", "label"), preprocess or PreprocessConfig(), model_config,
                   config)
    return float(np.mean(np.array(result.bundle.predict(test_texts)) == np.array(test_labels)))

def read_curve(points, sizes, classes: int) -> tuple[str, dict]:
    """The curve in plain words: still rising (the gain of the last doubling of the data, or
    its rate, carried to one more doubling) or flat (under half a point from the last 30 % of
    rows and under a point from the last 60 %).

    Examples
    --------
    >>> read_curve([[0.1, 0.70], [0.2, 0.76], [0.4, 0.81], [0.7, 0.84], [1.0, 0.86]], [100, 200, 400, 700, 1000], 2)
    ('curve.rising', {'n': '500', 'points': '3.8'})
    >>> read_curve([[0.1, 0.90], [0.2, 0.91], [0.4, 0.915], [0.7, 0.917], [1.0, 0.918]], [100, 200, 400, 700, 1000], 2)
    ('curve.flat', {'accuracy': '91.8%'})
    """
    if len(points) < 3:
        return "curve.too_few", {}
    last, before = points[-1], points[-2]
    early = next((value for share, value in points if share >= 0.4), points[0][1])
    if last[1] - before[1] < 0.005 and last[1] - early < 0.01:
        return "curve.flat", {"accuracy": f"{last[1]:.1%}"}
    # Points per doubling of the rows, from 40 % to 100 % (log-linear), carried to one more doubling.
    start = next(((share, value) for share, value in points if share >= 0.4), points[0])
    doublings = np.log2(last[0] / start[0]) or 1.0
    gain = max(0.0, (last[1] - start[1]) / doublings)
    per_class = max(1, round(sizes[-1] / max(1, classes)))
    return "curve.rising", {"n": f"{per_class:,}", "points": f"{gain * 100:.1f}"}
