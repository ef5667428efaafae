"""Decision threshold of two-class models: curves, metrics, saved with the bundle, used to predict."""

import copy

import numpy as np
import pytest

from core.base.errors import UserError
from core.models.bundle import Bundle, decide
from core.models.evaluate import binary_curves, classification_metrics, rethreshold, save_decision


def fresh(bundle: Bundle) -> Bundle:
    """The session's tiny model with its own settings and metrics to change."""
    return Bundle(bundle.model, bundle.preprocess, bundle.vocabulary, list(bundle.labels),
                  copy.deepcopy(bundle.settings), copy.deepcopy(bundle.metrics))


def test_threshold_changes_the_confusion_matrix_as_expected():
    import pandas as pd

    p_spam = np.array([0.1, 0.3, 0.45, 0.6, 0.8, 0.35])
    truth = ["ham", "ham", "spam", "spam", "spam", "ham"]
    labels = ["ham", "spam"]
    argmax = np.where(p_spam >= 0.5, "spam", "ham")
    answers = pd.DataFrame({"text": list("abcdef"), "label": truth, "predicted": argmax,
                            "confidence": np.maximum(p_spam, 1 - p_spam), "p_true": 0.0,
                            "correct": argmax == np.array(truth)})

    def confusion(positive, threshold):
        shown = rethreshold(answers, labels, positive, threshold)
        assert (shown["correct"] == (shown["predicted"] == shown["label"])).all()
        return list(classification_metrics(shown["label"], shown["predicted"], labels).confusion)

    assert confusion("spam", 0.5) == [[3, 0], [1, 2]]
    # Lower: the spam at 0.45 is caught, and the ham at 0.35 becomes a false alarm.
    assert confusion("spam", 0.34) == [[2, 1], [0, 3]]
    assert confusion("spam", 0.4) == [[3, 0], [0, 3]]
    # Higher: only the surest spam is called spam.
    assert confusion("spam", 0.7) == [[3, 0], [2, 1]]
    # The same rule seen from the other class.
    assert confusion("ham", 0.6) == [[3, 0], [0, 3]]
    assert confusion("ham", 0.66) == [[2, 1], [0, 3]]
    assert rethreshold(answers, labels, "spam", 0.34)["confidence"].tolist()[:3] == [0.9, 0.7, 0.45]


def test_curves_agree_with_scikit_learn():
    from sklearn.metrics import average_precision_score, roc_auc_score

    rng = np.random.default_rng(0)
    truth = rng.random(300) < 0.3
    scores = np.clip(truth * 0.3 + rng.random(300) * 0.7, 0, 1)
    curves = binary_curves(scores, truth)
    assert curves["roc"]["auc"] == pytest.approx(roc_auc_score(truth, scores))
    assert curves["pr"]["average_precision"] == pytest.approx(average_precision_score(truth, scores))
    assert curves["roc"]["fpr"][0] == 0 and curves["roc"]["tpr"][-1] == 1
    assert len(curves["roc"]["fpr"]) <= 400 and len(curves["pr"]["recall"]) == len(curves["pr"]["thresholds"])
    with pytest.raises(UserError) as error:
        binary_curves([0.2, 0.9], [True, True])
    assert error.value.key == "err.curves_one_class"


def test_saved_threshold_is_used_by_prediction_after_reload(tiny_result, tmp_path):
    bundle = fresh(tiny_result.bundle)
    texts, labels = tiny_result.test_texts, tiny_result.test_labels
    p_spam = bundle.predict_proba(texts)[:, bundle.labels.index("spam")]
    threshold = float(np.quantile(p_spam, 0.5))  # half the test texts become spam
    before = bundle.metrics["test"]["confusion"]
    after = list(save_decision(bundle, "spam", threshold, texts, labels).confusion)
    assert after != before
    assert sum(row[1] for row in after) == int((p_spam >= round(threshold, 4)).sum())
    assert bundle.decision == {"positive": "spam", "threshold": round(threshold, 4)}

    bundle.save(tmp_path / "m")
    loaded = Bundle.load(tmp_path / "m")
    assert loaded.decision == bundle.decision
    expected = ["spam" if p >= round(threshold, 4) else "ham" for p in p_spam]
    assert loaded.predict(texts) == expected
    assert loaded.metrics["test"]["confusion"] == after
    one = next(i for i, p in enumerate(p_spam) if round(threshold, 4) <= p < 0.5) if any(
        round(threshold, 4) <= p < 0.5 for p in p_spam) else None
    if one is not None:  # below 0.5 yet spam: only the threshold can say so
        assert loaded.predict_one(texts[one])["label"] == "spam"

    import pandas as pd

    from core.service.batch import predict_table

    table = predict_table(loaded, pd.DataFrame({"text": texts}), ["text"])
    assert table["predicted_label"].tolist() == expected
    save_decision(loaded, None, None, texts, labels)
    assert loaded.decision is None and loaded.metrics["test"]["confusion"] == before


def test_threshold_is_refused_where_it_makes_no_sense(tiny_result):
    bundle = fresh(tiny_result.bundle)
    for positive, value, key in [("spam", 0.0, "err.bad_setting"), ("spam", 1.0, "err.bad_setting"),
                                 ("eggs", 0.5, "err.unknown_label")]:
        with pytest.raises(UserError) as error:
            bundle.set_decision(positive, value)
        assert error.value.key == key
    three = Bundle(bundle.model, bundle.preprocess, bundle.vocabulary, ["a", "b", "c"])
    with pytest.raises(UserError) as error:
        three.set_decision("a", 0.5)
    assert error.value.key == "err.threshold_two_classes"
    assert decide(np.array([[0.2, 0.3, 0.5]]), ["a", "b", "c"], {"positive": "a", "threshold": 0.1}).tolist() == [2]
