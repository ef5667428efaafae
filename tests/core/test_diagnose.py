"""Plain-words diagnosis of training curves and test results."""

import pandas as pd

from core.diagnose import diagnose


def kinds(findings):
    return [finding.kind for finding in findings]


def test_overfitting_is_named_with_its_numbers():
    metrics = {"history": {"loss": [0.6, 0.3, 0.15, 0.08], "val_loss": [0.5, 0.35, 0.40, 0.48],
                           "accuracy": [0.7, 0.9, 0.95, 0.98], "val_accuracy": [0.75, 0.86, 0.85, 0.84]}}
    found = diagnose(metrics, {"train": {"epochs": 10}})
    assert kinds(found) == ["overfitting"]
    assert found[0].params == {"best_epoch": 2, "best": "0.350", "last": "0.480", "epochs": 4}
    assert "began memorising" in found[0].to_dict()["message"]


def test_underfitting_when_accuracy_is_low_and_still_rising_at_the_last_planned_epoch():
    history = {"loss": [1.2, 1.0, 0.9], "val_loss": [1.2, 1.05, 0.95], "accuracy": [0.5, 0.6, 0.7],
               "val_accuracy": [0.5, 0.58, 0.66]}
    assert kinds(diagnose({"history": history}, {"train": {"epochs": 3}})) == ["underfitting"]
    # Stopped early by the user or by early stopping: not called underfitting.
    assert diagnose({"history": history}, {"train": {"epochs": 10}}) == []


def test_weak_classes_and_sure_mistakes():
    metrics = {"test": {"per_class": [{"label": "ham", "f1": 0.95, "support": 200},
                                      {"label": "spam", "f1": 0.2, "support": 30}]}}
    answers = pd.DataFrame({"correct": [True, False, False, False], "confidence": [0.99, 0.95, 0.6, 0.91]})
    found = diagnose(metrics, {}, answers)
    assert kinds(found) == ["weak_classes", "sure_mistakes"]
    assert found[0].params["classes"] == "'spam' (F1 0.20, n = 30)"
    assert found[1].count == 2


def test_a_healthy_run_has_no_findings(tiny_result):
    history = {"loss": [0.5, 0.3, 0.2], "val_loss": [0.45, 0.3, 0.25], "accuracy": [0.8, 0.92, 0.95],
               "val_accuracy": [0.82, 0.91, 0.93]}
    assert diagnose({"history": history}, {"train": {"epochs": 3}}) == []
    # And a real bundle can be diagnosed without errors.
    assert isinstance(diagnose(tiny_result.bundle.metrics, tiny_result.bundle.settings), list)
