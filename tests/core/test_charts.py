"""The page's charts: nothing past the axis, no label drawn over a curve, user strings escaped."""

from core.evaluation import charts


def test_the_confidence_histogram_has_no_bar_past_one():
    """Issue 17: a probability of exactly 1.0 made a bar of its own beyond the axis."""
    figure = charts.confidence_histogram([1.0, 1.0, 0.99, 0.5], [0.51, 0.97], "t", "x", "y", "right", "wrong")
    right, wrong = figure.data
    assert max(x + right.width / 2 for x in right.x) <= 1.0 + 1e-9 and min(right.x) > 0
    assert list(right.y)[-1] == 3 and sum(right.y) == 4 and sum(wrong.y) == 2     # 1.0 counts in the last bin
    assert tuple(figure.layout.xaxis.range) == (0, 1)


def test_the_best_epoch_label_sits_above_the_curves():
    """Issue 17: the "best" marker's text overlapped the accuracy line."""
    history = [{"epoch": 1, "loss": 0.5, "val_loss": 0.4, "accuracy": 0.8, "val_accuracy": 0.85},
               {"epoch": 2, "loss": 0.3, "val_loss": 0.35, "accuracy": 0.9, "val_accuracy": 0.9},
               {"epoch": 3, "loss": 0.2, "val_loss": 0.38, "accuracy": 0.95, "val_accuracy": 0.99}]
    figure = charts.history_figure(history, "accuracy", "Accuracy", "training", "validation", "Epoch", "<b>best</b>")
    [note] = figure.layout.annotations
    assert note.x == 2 and note.yref == "paper" and note.y >= 1 and note.yanchor == "bottom"   # outside the plot area
    assert note.text == "&lt;b&gt;best&lt;/b&gt;"
    assert figure.layout.margin.t >= 60


def test_the_threshold_label_stays_inside_the_chart():
    """The precision-recall marker's "threshold" was cut at the right edge ("thresh")."""
    curves = {"pr": {"recall": [1.0, 0.9, 0.5], "precision": [0.5, 0.9, 1.0], "thresholds": [0.1, 0.5, 0.9]},
              "roc": {"fpr": [0.0, 0.05, 1.0], "tpr": [0.0, 0.8, 1.0], "thresholds": [1.0, 0.5, 0.0]}}
    pr = charts.pr_figure(curves, "PR", "Recall", "Precision", 0.5, "threshold")
    roc = charts.roc_figure(curves, "ROC", "FPR", "TPR", 0.5, "threshold")
    assert pr.data[-1].x[0] > 0.6 and pr.data[-1].textposition == "bottom left"
    assert roc.data[-1].x[0] < 0.6 and roc.data[-1].textposition == "bottom right"
