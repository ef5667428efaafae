"""The plain baseline every deep model must beat: TF-IDF + logistic regression.

It is trained on the same training rows and the same tokens as the LSTM and measured on the
same held-out rows, so the Evaluate page can say plainly whether the deep model earns its
place on this data.
"""

from __future__ import annotations

from core.models.evaluate import classification_metrics
from core.models.meta import Baseline, Scores
from core.models.tfidf import fit_seconds

NAME = "TF-IDF + logistic regression"


def tfidf_baseline(train_tokens, train_labels, test_tokens, test_labels, label_names, analyzer: str = "words") -> Baseline:
    """Fit TF-IDF (``analyzer``: tokens and token pairs, or character n-grams for Chinese; see
    :func:`core.models.tfidf.analyzer_for`) + logistic regression (:class:`core.models.tfidf.TfidfModel`) on
    already tokenized texts and measure it on the held-out ones.

    Returns
    -------
    Baseline
        Its scores (as :func:`core.models.evaluate.classification_metrics`, without the confusion
        matrix), ``name``, ``train_seconds`` and ``analyzer``; ``on`` is set by the caller.
    """
    index = {label: i for i, label in enumerate(label_names)}
    model, seconds = fit_seconds(train_tokens, [index[label] for label in train_labels], len(label_names), analyzer)
    predicted = [label_names[i] for i in model.predict_proba(test_tokens).argmax(axis=1)]
    return as_baseline(classification_metrics(test_labels, predicted, label_names), seconds, analyzer)


def as_baseline(scores: Scores, seconds: float, analyzer: str, on: str = "test") -> Baseline:
    """``scores`` of the TF-IDF model fitted beside another model, as that model's baseline."""
    return Baseline(accuracy=scores.accuracy, macro_f1=scores.macro_f1, n=scores.n, per_class=scores.per_class,
                    name=NAME, train_seconds=round(seconds, 2), analyzer=analyzer, on=on)


def verdict(model_accuracy: float, baseline_accuracy: float, margin: float = 0.005) -> str:
    """"better", "same" or "worse": how the model compares with the baseline (within
    ``margin`` of accuracy counts as the same)."""
    if model_accuracy > baseline_accuracy + margin:
        return "better"
    if model_accuracy < baseline_accuracy - margin:
        return "worse"
    return "same"
