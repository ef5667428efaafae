"""Metrics."""

import json

import pytest

from core.models.evaluate import classification_metrics
from core.models.meta import Scores


def test_metrics_on_a_known_case():
    metrics = classification_metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"])
    assert metrics.accuracy == 0.75
    assert list(metrics.confusion) == [[1, 1], [0, 2]]
    per_class = {row["label"]: row for row in metrics.per_class}
    assert per_class["a"]["precision"] == 1.0 and per_class["a"]["recall"] == 0.5
    assert per_class["b"]["precision"] == pytest.approx(2 / 3)
    assert metrics.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2)
    # metrics.json keeps it as plain JSON, read back the same
    assert Scores.from_json(json.loads(json.dumps(metrics.to_json()))) == Scores.from_json(metrics.to_json())
    assert metrics.to_json()["confusion"] == [[1, 1], [0, 2]]


def test_labels_unknown_to_the_model_are_kept_as_errors():
    metrics = classification_metrics(["a", "z"], ["a", "a"], ["a", "b"])
    assert metrics.unknown_labels == ("z",)
    assert metrics.labels == ("a", "b", "z")
    assert metrics.accuracy == 0.5


def test_majority_baseline_and_mistakes(tiny_result):
    from core.models.evaluate import majority_baseline, mistakes

    assert majority_baseline(["ham", "ham", "spam"]) == {"label": "ham", "accuracy": 2 / 3}
    bundle = tiny_result.bundle
    texts, labels = tiny_result.test_texts, tiny_result.test_labels
    wrong = mistakes(bundle, texts, labels)
    predicted = bundle.predict(texts)
    assert len(wrong) == sum(p != t for p, t in zip(predicted, labels))
    assert (wrong["label"] != wrong["predicted"]).all()
    assert wrong["confidence"].is_monotonic_decreasing
    assert ((wrong["confidence"] >= 0.5) | (len(bundle.labels) > 2)).all()
    assert (wrong["p_true"] <= wrong["confidence"]).all()


def test_metrics_agree_with_scikit_learn_on_fixed_predictions():
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    from core.models.evaluate import classification_metrics

    true = ["a", "a", "b", "b", "b", "c", "c", "a", "b", "c"]
    predicted = ["a", "b", "b", "b", "c", "c", "a", "a", "b", "b"]
    labels = ["a", "b", "c"]
    ours = classification_metrics(true, predicted, labels)
    assert ours.accuracy == accuracy_score(true, predicted)
    assert ours.macro_f1 == pytest.approx(f1_score(true, predicted, average="macro"))
    assert ours.weighted_f1 == pytest.approx(f1_score(true, predicted, average="weighted"))
    precision, recall, f1, support = precision_recall_fscore_support(true, predicted, labels=labels)
    for row, p, r, f, s in zip(ours.per_class, precision, recall, f1, support):
        assert (row["precision"], row["recall"], row["f1"], row["support"]) == pytest.approx((p, r, f, s))
    assert list(ours.confusion) == confusion_matrix(true, predicted, labels=labels).tolist()


def test_two_runs_side_by_side_on_the_same_texts(tiny_result):
    from core.models.evaluate import compare_runs, evaluate

    bundle = tiny_result.bundle
    texts, labels = tiny_result.test_texts, tiny_result.test_labels
    same = compare_runs(bundle, bundle, texts, labels, names=("one", "two"))
    assert [run["name"] for run in same["runs"]] == ["one", "two"]
    assert same["runs"][0]["accuracy"] == same["runs"][1]["accuracy"] == evaluate(bundle, texts, labels).accuracy
    assert same["only_first"] == same["only_second"] == 0 and same["disagreements"].empty
    assert same["both_right"] + same["both_wrong"] == len(texts)

    # A model that always says "ham" against the real one: the counts add up and every
    # disagreement is listed with both answers.
    import copy

    from core.models.bundle import Bundle

    always_ham = Bundle(bundle.model, bundle.preprocess, bundle.vocabulary, list(bundle.labels),
                        copy.deepcopy(bundle.settings), {})
    always_ham.set_decision("ham", 1e-4)
    pair = compare_runs(bundle, always_ham, texts, labels, names=("lstm", "ham"))
    assert pair["runs"][1]["accuracy"] == sum(label == "ham" for label in labels) / len(labels)
    assert pair["both_right"] + pair["only_first"] + pair["only_second"] + pair["both_wrong"] == len(texts)
    assert set(pair["disagreements"]["ham"]) <= {"ham"} and (pair["disagreements"]["lstm"] == "spam").all()
    assert len(pair["disagreements"]) == sum(p == "spam" for p in bundle.predict(texts))

    # Against the TF-IDF baseline stored with the model: figures only.
    baseline = bundle.metrics["baseline"]
    versus = compare_runs(bundle, baseline, texts, labels, names=("lstm", "tfidf"))
    assert versus["runs"][1]["accuracy"] == baseline["accuracy"] and "disagreements" not in versus
    assert {row["label"] for row in versus["per_class"]} == set(bundle.labels)
    assert all("tfidf" in row and "lstm" in row for row in versus["per_class"])
