"""Evaluation: how good a model is on labelled examples it did not train on."""

from __future__ import annotations

from collections import Counter

import numpy as np

from core.base.errors import UserError
from core.models.meta import RunInfo, Scores


def classification_metrics(true_labels, predicted_labels, label_names) -> Scores:
    """Accuracy, macro-F1, a per-class table and the confusion matrix.

    Parameters
    ----------
    true_labels, predicted_labels : sequence of str
    label_names : list of str
        Row/column order of the confusion matrix; true labels outside it are kept as extra
        rows so nothing is silently ignored.

    Returns
    -------
    Scores
        ``accuracy``, ``macro_f1``, ``weighted_f1``, ``n``, ``labels``, ``per_class`` (rows
        ``{label, precision, recall, f1, support}``) and ``confusion`` (rows = true labels);
        ``.to_json()`` is what ``metrics.json`` keeps.

    Examples
    --------
    >>> classification_metrics(["a", "b"], ["a", "a"], ["a", "b"]).accuracy
    0.5
    """
    # lazy: scikit-learn takes ~1 s to load: only fitting and scoring pay for it
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
    return Scores(
        accuracy=accuracy,
        macro_f1=float(f1[present].mean()) if present.any() else 0.0,
        weighted_f1=float(np.average(f1, weights=support)) if support.sum() else 0.0,
        n=len(true_labels),
        labels=tuple(labels),
        unknown_labels=tuple(sorted(set(true_labels) - set(label_names))),
        per_class=tuple(
            {"label": label, "precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support)
        ),
        confusion=tuple(confusion_matrix(true_labels, predicted_labels, labels=labels).tolist()),
    )


def evaluate(bundle, texts, labels) -> Scores:
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
    labels = [str(label) for label in labels]
    if not labels:
        raise UserError("err.no_usable_rows", dropped=0)
    label, count = max(Counter(labels).items(), key=lambda item: (item[1], item[0]))
    return {"label": label, "accuracy": count / len(labels)}


def predictions(bundle, texts, labels):
    """Every example with the model's answer: a DataFrame with ``text``, ``label`` (true),
    ``predicted`` (under the saved decision threshold, if any), ``confidence`` (probability of the predicted class), ``p_true``
    (probability of the true class; 0 for a class the model does not know) and ``correct``."""
    # lazy: pandas (~0.3 s) only for the table of examples; predicting from a bundle never loads it
    import pandas as pd

    texts, labels = list(texts), [str(label) for label in labels]
    columns = ["text", "label", "predicted", "confidence", "p_true", "correct"]
    if not texts:
        return pd.DataFrame(columns=columns)
    probabilities = bundle.predict_proba(texts)
    guesses = bundle.decide(probabilities)
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


def binary_curves(p_positive, is_positive, max_points: int = 400) -> dict:
    """ROC and precision-recall curves of a two-class model for its positive class.

    Parameters
    ----------
    p_positive : sequence of float
        The model's probability of the positive class for each example.
    is_positive : sequence of bool
        Whether each example really is positive.
    max_points : int
        Curves are thinned to about this many points (enough to draw, small to send).

    Returns
    -------
    dict
        ``roc`` (``fpr``, ``tpr``, ``thresholds``, ``auc``) and ``pr`` (``precision``,
        ``recall``, ``thresholds``, ``average_precision``); lists of floats.

    Raises
    ------
    UserError
        If the examples hold only one of the two classes (no curve can be drawn).
    """
    # lazy: scikit-learn takes ~1 s to load: only fitting and scoring pay for it
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    scores = np.asarray(p_positive, dtype=float)
    truth = np.asarray(is_positive, dtype=bool)
    if truth.all() or not truth.any():
        raise UserError("err.curves_one_class")
    fpr, tpr, roc_thresholds = roc_curve(truth, scores)
    precision, recall, pr_thresholds = precision_recall_curve(truth, scores)

    def thin(*columns):
        keep = np.unique(np.linspace(0, len(columns[0]) - 1, min(len(columns[0]), max_points)).round().astype(int))
        return [np.asarray(column, dtype=float)[keep].round(5).tolist() for column in columns]

    fpr, tpr, roc_thresholds = thin(fpr, tpr, np.minimum(roc_thresholds, 1.0))
    precision, recall, pr_thresholds = thin(precision[:-1], recall[:-1], pr_thresholds)
    return {
        "roc": {"fpr": fpr, "tpr": tpr, "thresholds": roc_thresholds, "auc": float(roc_auc_score(truth, scores))},
        "pr": {"precision": precision, "recall": recall, "thresholds": pr_thresholds,
               "average_precision": float(average_precision_score(truth, scores))},
    }


def rethreshold(answers, label_names, positive: str, threshold: float):
    """A two-class :func:`predictions` table as if ``positive`` were chosen wherever its
    probability reaches ``threshold``: ``predicted``, ``confidence`` and ``correct`` change,
    the texts and true labels do not. This is what the threshold slider shows.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"text": ["a", "b"], "label": ["spam", "ham"], "predicted": ["ham", "ham"],
    ...                         "confidence": [0.6, 0.9], "p_true": [0.4, 0.9], "correct": [False, True]})
    >>> rethreshold(answers, ["ham", "spam"], "spam", 0.3)["predicted"].tolist()
    ['spam', 'ham']
    """
    label_names = list(label_names)
    if len(label_names) != 2 or positive not in label_names:
        raise UserError("err.threshold_two_classes", n=len(label_names))
    other = label_names[1 - label_names.index(positive)]
    p = positive_probability(answers, positive)
    chosen = p >= threshold
    result = answers.copy()
    result["predicted"] = np.where(chosen, positive, other)
    result["confidence"] = np.where(chosen, p, 1.0 - p).round(4)
    result["correct"] = result["predicted"] == result["label"]
    return result


def save_decision(bundle, positive: str | None, threshold: float | None, texts, labels) -> dict:
    """Set ``bundle``'s decision threshold (``positive=None`` removes it) and recompute its
    test metrics on ``texts``/``labels`` so every page shows figures of the rule that
    predictions now use. Returns the new test scores (the old ones when there are no test rows,
    ``None`` when there are none at all). Save the bundle afterwards to keep it."""
    bundle.set_decision(positive, threshold)
    texts, labels = list(texts), list(labels)
    if texts:
        bundle.metrics["test"] = evaluate(bundle, texts, labels).to_json()
    return bundle.info.test


def compare_runs(first, second, texts, labels, names=("A", "B")) -> dict:
    """Two models on the same labelled texts, side by side.

    ``second`` may be a bundle or the TF-IDF baseline stored with ``first``
    (``first.info.baseline``, measured on the same test split); then only the figures are
    compared, as the baseline's answers per text are not kept.

    Returns
    -------
    dict
        ``runs``: per model ``name``, ``accuracy``, ``macro_f1``, ``train_seconds``;
        ``per_class``: rows ``{label, <name>: F1, ...}``; and when both are bundles,
        ``both_right``, ``only_first``, ``only_second``, ``both_wrong`` (counts of texts) and
        ``disagreements`` (a DataFrame of the texts they answer differently).
    """
    texts, labels = list(texts), [str(label) for label in labels]
    first_answers = predictions(first, texts, labels)
    first_metrics = classification_metrics(labels, first_answers["predicted"], first.labels)
    runs = [{"name": names[0], "accuracy": first_metrics.accuracy, "macro_f1": first_metrics.macro_f1,
             "train_seconds": first.info.train_seconds}]
    per_class = {row["label"]: {"label": row["label"], names[0]: row["f1"]} for row in first_metrics.per_class}
    result = {"runs": runs, "n": len(texts)}
    if isinstance(second, dict):     # a baseline as stored in metrics.json
        second = RunInfo.parse({}, {"baseline": second}).baseline
    if isinstance(second, Scores):
        runs.append({"name": names[1], "accuracy": second.accuracy, "macro_f1": second.macro_f1,
                     "train_seconds": getattr(second, "train_seconds", None)})
        second_rows = list(second.per_class)
    else:
        second_answers = predictions(second, texts, labels)
        second_metrics = classification_metrics(labels, second_answers["predicted"], second.labels)
        runs.append({"name": names[1], "accuracy": second_metrics.accuracy, "macro_f1": second_metrics.macro_f1,
                     "train_seconds": second.info.train_seconds})
        second_rows = list(second_metrics.per_class)
        right_first, right_second = first_answers["correct"].astype(bool), second_answers["correct"].astype(bool)
        result.update(both_right=int((right_first & right_second).sum()), only_first=int((right_first & ~right_second).sum()),
                      only_second=int((~right_first & right_second).sum()),
                      both_wrong=int((~right_first & ~right_second).sum()))
        differ = first_answers["predicted"] != second_answers["predicted"]
        result["disagreements"] = (first_answers.loc[differ, ["text", "label", "predicted"]]
                                   .rename(columns={"predicted": names[0]})
                                   .assign(**{names[1]: second_answers.loc[differ, "predicted"]})
                                   .reset_index(drop=True))
    for row in second_rows:
        per_class.setdefault(row["label"], {"label": row["label"]})[names[1]] = row["f1"]
    result["per_class"] = list(per_class.values())
    return result


def positive_probability(answers, positive: str):
    """The probability of class ``positive`` for each row of a two-class model's
    :func:`predictions` table (``confidence`` is the predicted class's; the other class has
    the rest)."""
    confidence = answers["confidence"].to_numpy(dtype=float)
    return np.where(answers["predicted"] == positive, confidence, 1.0 - confidence)


def automatic_summary(settings: dict, metrics: dict) -> dict | None:
    """What Automatic (:func:`core.training.train.train_auto`) tried and kept, for the Evaluate page:
    ``{"chosen", "weight", "rows": [{"name", "val_accuracy", "test_accuracy", "macro_f1",
    "train_seconds", "kept"}], "reason": (catalog key, params)}``; ``None`` for another model.

    Examples
    --------
    >>> summary = automatic_summary({"auto": {"chosen": "blend", "weight": 0.4}},
    ...     {"candidates": [{"name": "tfidf", "val_accuracy": 0.88}, {"name": "network", "val_accuracy": 0.87},
    ...                     {"name": "blend", "val_accuracy": 0.9, "weight": 0.4}]})
    >>> summary["reason"]
    ('eval.auto_reason_better', {'chosen': 'blend', 'accuracy': '90.0%', 'next': 'tfidf', 'points': '2.0'})
    """
    auto, rows = settings.get("auto"), metrics.get("candidates")
    if not isinstance(auto, dict) or not isinstance(rows, list) or not rows:
        return None
    chosen = auto.get("chosen")
    rows = [{**row, "kept": row.get("name") == chosen} for row in rows if isinstance(row, dict)]
    kept = next((row for row in rows if row["kept"]), None)
    others = sorted((row for row in rows if not row["kept"]), key=lambda row: -row.get("val_accuracy", 0))
    if kept is None or not others:
        return None
    runner_up = others[0]
    gap = kept.get("val_accuracy", 0) - runner_up.get("val_accuracy", 0)
    params = {"chosen": chosen, "accuracy": f"{kept.get('val_accuracy', 0):.1%}", "next": runner_up["name"],
              "points": f"{gap * 100:.1f}"}
    reason = ("eval.auto_reason_better", params) if gap > 0 else ("eval.auto_reason_simpler", params)
    return {"chosen": chosen, "weight": auto.get("weight"), "rows": rows, "reason": reason}
