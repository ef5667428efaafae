"""Reading the training curves and the test results in plain words: overfitting,
underfitting, weak classes and confident mistakes (often mislabelled data).

Each :class:`core.findings.Finding` carries a catalog key, so the Evaluate page shows the
diagnosis in the user's language with the numbers that led to it.
"""

from __future__ import annotations

from core.findings import Finding

OVERFIT_RISE = 1.05        # validation loss 5 % above its best at the end
UNDERFIT_ACCURACY = 0.9    # training accuracy still below this at the end …
STILL_RISING = 0.01        # … and still rising by more than this per epoch
WEAK_F1 = 0.5
SURE = 0.9                 # a mistake made with at least this confidence


def diagnose(metrics: dict, settings: dict, answers=None) -> list[Finding]:
    """Findings about one trained model.

    Parameters
    ----------
    metrics : dict
        ``Bundle.metrics`` (``history``, ``test``, ``epochs``).
    settings : dict
        ``Bundle.settings`` (``train.epochs`` is compared with the epochs run).
    answers : pandas.DataFrame, optional
        :func:`core.evaluate.predictions` on the test split, for confident mistakes.

    Returns
    -------
    list of Finding
        Empty when nothing looks wrong.
    """
    findings = []
    history = metrics.get("history", {})
    loss, val_loss = history.get("loss", []), history.get("val_loss", [])
    accuracy, val_accuracy = history.get("accuracy", []), history.get("val_accuracy", [])
    if len(val_loss) >= 3 and len(loss) == len(val_loss):
        best = min(range(len(val_loss)), key=val_loss.__getitem__)
        if val_loss[-1] > val_loss[best] * OVERFIT_RISE and loss[-1] < loss[best]:
            findings.append(Finding("overfitting", len(val_loss) - best - 1, "diag.overfitting", {
                "best_epoch": best + 1, "best": f"{val_loss[best]:.3f}", "last": f"{val_loss[-1]:.3f}",
                "epochs": len(val_loss)}))
    planned = settings.get("train", {}).get("epochs")
    if len(accuracy) >= 2 and accuracy[-1] < UNDERFIT_ACCURACY and accuracy[-1] - accuracy[-2] > STILL_RISING \
            and len(accuracy) == planned:
        findings.append(Finding("underfitting", len(accuracy), "diag.underfitting", {
            "accuracy": f"{accuracy[-1]:.1%}", "val_accuracy": f"{val_accuracy[-1]:.1%}" if val_accuracy else "–",
            "epochs": len(accuracy)}))
    test = metrics.get("test") or {}
    weak = [row for row in test.get("per_class", []) if row["support"] and row["f1"] < WEAK_F1]
    if weak:
        findings.append(Finding("weak_classes", len(weak), "diag.weak_classes", {
            "classes": ", ".join(f"'{row['label']}' (F1 {row['f1']:.2f}, n = {row['support']})" for row in weak[:8])}))
    if answers is not None and len(answers):
        sure = int(((~answers["correct"].astype(bool)) & (answers["confidence"] >= SURE)).sum())
        if sure:
            findings.append(Finding("sure_mistakes", sure, "diag.sure_mistakes",
                                    {"n": sure, "share": f"{SURE:.0%}"}, "info"))
    return findings
