"""Reading the training curves and the test results in plain words: overfitting,
underfitting, weak classes and confident mistakes (often mislabelled data).

Each :class:`core.data.findings.Finding` carries a catalog key, so the Evaluate page shows the
diagnosis in the user's language with the numbers that led to it.
"""

from __future__ import annotations

from core.base.config import LEARNING_RATES, ModelConfig
from core.data.findings import Finding
from core.models.meta import RunInfo

OVERFIT_RISE = 1.05        # validation loss 5 % above its best at the end
UNDERFIT_ACCURACY = 0.9    # training accuracy still below this at the end …
STILL_RISING = 0.01        # … and still rising by more than this per epoch
WEAK_F1 = 0.5
SURE = 0.9                 # a mistake made with at least this confidence
MAX_SUGGESTED_DROPOUT = 0.5


def against_overfitting(info: RunInfo) -> dict:
    """Next run's settings against overfitting: dropout +0.2 (at most 0.5), early stopping
    on, and half the LSTM units when there are 64 or more.

    Examples
    --------
    >>> against_overfitting(RunInfo.parse({"model": {"dropout_rate": 0.2, "lstm_units": 128}, "train": {}}, {}))
    {'dropout_rate': 0.4, 'early_stopping_patience': 2, 'lstm_units': 64}
    """
    model = info.model or ModelConfig()
    changes = {"dropout_rate": round(min(MAX_SUGGESTED_DROPOUT, model.dropout_rate + 0.2), 2)}
    changes["early_stopping_patience"] = info.train.early_stopping_patience or 2
    if model.lstm_units >= 64:
        changes["lstm_units"] = model.lstm_units // 2
    return changes


def against_underfitting(info: RunInfo) -> dict:
    """Next run's settings against underfitting: twice the epochs (at most 100) and the next
    higher learning rate step up to 0.01.

    Examples
    --------
    >>> against_underfitting(RunInfo.parse({"train": {"epochs": 5, "learning_rate": 0.001}}, {}))
    {'epochs': 10, 'learning_rate': 0.002}
    """
    changes: dict[str, float] = {"epochs": min(100, 2 * info.train.epochs)}
    rate = info.train.learning_rate
    higher = [step for step in LEARNING_RATES if step > rate * 1.0001 and step <= 0.01]
    if higher:
        changes["learning_rate"] = higher[0]
    return changes


def diagnose(metrics: dict, settings: dict, answers=None) -> list[Finding]:
    """Findings about one trained model.

    Parameters
    ----------
    metrics, settings : dict
        ``Bundle.metrics`` and ``Bundle.settings`` (read as :class:`core.models.meta.RunInfo`: the
        history, the test figures, the epochs planned, which are compared with those run).
    answers : pandas.DataFrame, optional
        :func:`core.models.evaluate.predictions` on the test split, for confident mistakes.

    Returns
    -------
    list of Finding
        Empty when nothing looks wrong.
    """
    info = RunInfo.parse(settings, metrics)
    findings = []
    history = info.history
    loss, val_loss = history.get("loss", []), history.get("val_loss", [])
    accuracy, val_accuracy = history.get("accuracy", []), history.get("val_accuracy", [])
    if len(val_loss) >= 3 and len(loss) == len(val_loss):
        best = min(range(len(val_loss)), key=val_loss.__getitem__)
        if val_loss[-1] > val_loss[best] * OVERFIT_RISE and loss[-1] < loss[best]:
            findings.append(Finding("overfitting", len(val_loss) - best - 1, "diag.overfitting", {
                "best_epoch": best + 1, "best": f"{val_loss[best]:.3f}", "last": f"{val_loss[-1]:.3f}",
                "epochs": len(val_loss)}, apply=against_overfitting(info)))
    if len(accuracy) >= 2 and accuracy[-1] < UNDERFIT_ACCURACY and accuracy[-1] - accuracy[-2] > STILL_RISING \
            and len(accuracy) == info.train.epochs:
        findings.append(Finding("underfitting", len(accuracy), "diag.underfitting", {
            "accuracy": f"{accuracy[-1]:.1%}", "val_accuracy": f"{val_accuracy[-1]:.1%}" if val_accuracy else "–",
            "epochs": len(accuracy)}, apply=against_underfitting(info)))
    weak = [row for row in (info.test.per_class if info.test else []) if row["support"] and row["f1"] < WEAK_F1]
    if weak:
        # Balanced class weights make mistakes on small classes count more in the next run.
        weigh = info.kind != "tfidf" and info.train.class_weight != "balanced"
        findings.append(Finding("weak_classes", len(weak), "diag.weak_classes", {
            "classes": ", ".join(f"'{row['label']}' (F1 {row['f1']:.2f}, n = {row['support']})" for row in weak[:8])},
            apply={"class_weight": "balanced"} if weigh else {}))
    if answers is not None and len(answers):
        sure = int(((~answers["correct"].astype(bool)) & (answers["confidence"] >= SURE)).sum())
        if sure:
            findings.append(Finding("sure_mistakes", sure, "diag.sure_mistakes",
                                    {"n": sure, "share": f"{SURE:.0%}"}, "info"))
    return findings
