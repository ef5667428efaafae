"""Evaluation: how good a model is on labelled examples it did not train on."""

from __future__ import annotations

import numpy as np

from core.errors import UserError


def classification_metrics(true_labels, predicted_labels, label_names) -> dict:
    """Accuracy, macro-F1, a per-class table and the confusion matrix.

    Parameters
    ----------
    true_labels, predicted_labels : sequence of str
    label_names : list of str
        Row/column order of the confusion matrix; true labels outside it are kept as extra
        rows so nothing is silently ignored.

    Returns
    -------
    dict
        ``accuracy``, ``macro_f1``, ``weighted_f1``, ``n``, ``labels``, ``per_class`` (list of
        ``{label, precision, recall, f1, support}``) and ``confusion`` (rows = true labels).

    Examples
    --------
    >>> classification_metrics(["a", "b"], ["a", "a"], ["a", "b"])["accuracy"]
    0.5
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    true_labels = [str(label) for label in true_labels]
    predicted_labels = [str(label) for label in predicted_labels]
    if not true_labels:
        raise UserError("err.no_usable_rows", dropped=0)
    labels = list(label_names) + sorted(set(true_labels) - set(label_names))
    precision, recall, f1, support = precision_recall_fscore_support(
        true_labels, predicted_labels, labels=labels, zero_division=0
    )
    present = support > 0
    accuracy = float(np.mean([t == p for t, p in zip(true_labels, predicted_labels)]))
    return {
        "accuracy": accuracy,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "weighted_f1": float(np.average(f1, weights=support)) if support.sum() else 0.0,
        "n": len(true_labels),
        "labels": labels,
        "unknown_labels": sorted(set(true_labels) - set(label_names)),
        "per_class": [
            {"label": label, "precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support)
        ],
        "confusion": confusion_matrix(true_labels, predicted_labels, labels=labels).tolist(),
    }


def evaluate(bundle, texts, labels) -> dict:
    """Predict ``texts`` with ``bundle`` and compare with ``labels`` (see ``classification_metrics``)."""
    predictions = bundle.predict(list(texts))
    return classification_metrics(labels, predictions, bundle.labels)


def majority_baseline(labels) -> dict:
    """What always guessing the most frequent class scores: ``{"label", "accuracy"}`` — the
    floor a model must beat ("always guessing 'ham' gets 87 %").

    Examples
    --------
    >>> majority_baseline(["ham", "ham", "ham", "spam"])
    {'label': 'ham', 'accuracy': 0.75}
    """
    from collections import Counter

    labels = [str(label) for label in labels]
    if not labels:
        raise UserError("err.no_usable_rows", dropped=0)
    label, count = max(Counter(labels).items(), key=lambda item: (item[1], item[0]))
    return {"label": label, "accuracy": count / len(labels)}


def predictions(bundle, texts, labels):
    """Every example with the model's answer: a DataFrame with ``text``, ``label`` (true),
    ``predicted``, ``confidence`` (probability of the predicted class), ``p_true``
    (probability of the true class; 0 for a class the model does not know) and ``correct``."""
    import pandas as pd

    texts, labels = list(texts), [str(label) for label in labels]
    columns = ["text", "label", "predicted", "confidence", "p_true", "correct"]
    if not texts:
        return pd.DataFrame(columns=columns)
    probabilities = bundle.predict_proba(texts)
    guesses = probabilities.argmax(axis=1)
    rows = []
    for text, label, row, guess in zip(texts, labels, probabilities, guesses):
        true_p = float(row[bundle.labels.index(label)]) if label in bundle.labels else 0.0
        rows.append({"text": text, "label": label, "predicted": bundle.labels[guess],
                     "confidence": round(float(row[guess]), 4), "p_true": round(true_p, 4),
                     "correct": bundle.labels[guess] == label})
    return pd.DataFrame(rows, columns=columns)


def mistakes(bundle, texts, labels, table=None):
    """The examples the model got wrong, most confident first (the columns of
    :func:`predictions` without ``correct``); pass ``table`` to reuse computed predictions."""
    table = predictions(bundle, texts, labels) if table is None else table
    wrong = table[~table["correct"].astype(bool)].drop(columns="correct")
    return wrong.sort_values("confidence", ascending=False, kind="stable").reset_index(drop=True)
