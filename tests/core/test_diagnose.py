"""Plain-words diagnosis of training curves and test results."""

import pandas as pd

from core.evaluation.diagnose import diagnose


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


def test_overfitting_and_underfitting_come_with_settings_for_the_next_run():
    from core.models.model import ModelConfig
    from core.training.train import TrainConfig

    overfit = {"history": {"loss": [0.6, 0.3, 0.15, 0.08], "val_loss": [0.5, 0.35, 0.40, 0.48]}}
    settings = {"model": {"dropout_rate": 0.2, "lstm_units": 128}, "train": {"epochs": 10, "early_stopping_patience": 0}}
    [finding] = diagnose(overfit, settings)
    assert finding.apply == {"dropout_rate": 0.4, "early_stopping_patience": 2, "lstm_units": 64}
    settings["model"].update(dropout_rate=0.45, lstm_units=32)
    assert diagnose(overfit, settings)[0].apply == {"dropout_rate": 0.5, "early_stopping_patience": 2}

    history = {"loss": [1.2, 1.0, 0.9], "accuracy": [0.5, 0.6, 0.7]}
    [finding] = diagnose({"history": history}, {"train": {"epochs": 3, "learning_rate": 0.001}})
    assert finding.apply == {"epochs": 6, "learning_rate": 0.002}
    [finding] = diagnose({"history": history}, {"train": {"epochs": 3, "learning_rate": 0.002}})
    assert finding.apply == {"epochs": 6, "learning_rate": 0.003}
    [finding] = diagnose({"history": history}, {"train": {"epochs": 3, "learning_rate": 0.01}})
    assert finding.apply == {"epochs": 6}
    # Every suggestion is a valid setting.
    for changes in (diagnose(overfit, settings)[0].apply, finding.apply):
        ModelConfig(**{k: v for k, v in changes.items() if k in ModelConfig.__dataclass_fields__})
        TrainConfig(**{k: v for k, v in changes.items() if k in TrainConfig.__dataclass_fields__})
    weak = {"test": {"per_class": [{"label": "a", "f1": 0.1, "support": 9}]}}
    assert diagnose(weak, {})[0].apply == {"class_weight": "balanced"}
    assert diagnose(weak, {"train": {"class_weight": "balanced"}})[0].apply == {}   # already on
    assert diagnose(weak, {"kind": "tfidf"})[0].apply == {}
