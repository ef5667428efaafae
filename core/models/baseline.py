"""The baseline every deep model must beat: the best of the linear models (issue 29; TF-IDF +
logistic regression in bundles made before).

It is trained on the same training rows and the same tokens as the network (the linear models of
:mod:`core.training.linear`, the best on validation) and measured on the same held-out rows, so
the Evaluate page can say plainly whether the deep model earns its place on this data.
"""

from __future__ import annotations

from core.models.meta import Baseline, Scores

NAME = "TF-IDF + logistic regression"
# Each linear method's name in the message catalog: in a sentence, and as a label (the report's card).
NAME_KEYS = {"lr": "train.candidate_tfidf", "nblr": "train.candidate_nblr", "svm": "train.candidate_svm"}
LABEL_KEYS = {"lr": "report.tfidf", "nblr": "eval.auto_nblr", "svm": "eval.auto_svm"}


def as_baseline(scores: Scores, seconds: float, analyzer: str, on: str = "test", name: str = NAME,
                method: str = "lr") -> Baseline:
    """``scores`` of the linear model fitted beside another model (TF-IDF + LR unless ``name`` and
    ``method`` say which), as that model's baseline."""
    return Baseline(accuracy=scores.accuracy, macro_f1=scores.macro_f1, n=scores.n, per_class=scores.per_class,
                    name=name, train_seconds=round(seconds, 2), analyzer=analyzer, on=on, method=method)


def verdict(model_accuracy: float, baseline_accuracy: float, margin: float = 0.005) -> str:
    """"better", "same" or "worse": how the model compares with the baseline (within
    ``margin`` of accuracy counts as the same)."""
    if model_accuracy > baseline_accuracy + margin:
        return "better"
    if model_accuracy < baseline_accuracy - margin:
        return "worse"
    return "same"
