"""Automatic (issues 18 and 29): the linear models (TF-IDF + LR, NB-LR, an SVM on word and character
n-grams), the network and the blend of the network with the best linear model, trained on one split,
the best on validation kept as one bundle that predicts, explains, saves, zips and reloads like any other."""

import io
import json
import zipfile
from dataclasses import replace

import numpy as np
import pytest

from core.base.errors import UserError
from core.evaluation.explain import explain
from core.models.bundle import Bundle
from core.models.export import exportable
from core.models.package import bundle_zip, unpack_bundle
from core.models.tfidf import describe
from core.text import PreprocessConfig
from core.training.train import CANDIDATES, LINEAR, choose_blend, train_auto
from tests.conftest import assert_usable, expected_choice
from tests.core.conftest import TINY_MODEL, TINY_TRAIN, small_sample


@pytest.fixture(scope="module")
def auto_result():
    return train_auto(small_sample(rows=500), PreprocessConfig(), TINY_MODEL, TINY_TRAIN)


def test_automatic_scores_every_candidate_on_one_split_and_keeps_the_best_on_validation(auto_result):
    bundle = auto_result.bundle
    rows = {row["name"]: row for row in bundle.metrics["candidates"]}
    assert list(rows) == list(CANDIDATES) == ["tfidf", "nblr", "svm", "network", "blend"]
    chosen = bundle.settings["auto"]["chosen"]
    # The most accurate on validation, unless by a single text (a tie keeps the simpler).
    validation = bundle.info.data.validation
    assert chosen == expected_choice(rows, list(CANDIDATES), validation)
    assert rows[chosen]["val_accuracy"] >= max(row["val_accuracy"] for row in rows.values()) - 1.5 / validation
    assert bundle.metrics["test"]["accuracy"] == pytest.approx(rows[chosen]["test_accuracy"], abs=1e-4)
    assert 0 < rows["blend"]["weight"] < 1 and bundle.settings["auto"]["weight"] == rows["blend"]["weight"]
    # Each candidate, as the bundle it would be, gives its own row's test accuracy on the same test texts.
    for name, candidate in auto_result.candidates.items():
        predicted = candidate.predict(auto_result.test_texts)
        accuracy = np.mean([p == label for p, label in zip(predicted, auto_result.test_labels)])
        assert accuracy == pytest.approx(rows[name]["test_accuracy"], abs=1e-4)
    # The baseline is the best linear model on validation (by Automatic's rule), named for what it is.
    best = expected_choice(rows, list(LINEAR), validation)
    assert bundle.metrics["baseline"]["accuracy"] == pytest.approx(rows[best]["test_accuracy"], abs=1e-4)
    assert bundle.metrics["baseline"]["name"] == describe(auto_result.candidates[best].model)
    # ... and it is the blend's partner.
    assert auto_result.candidates["blend"].settings["blend"]["partner"] == best
    # Only it, the one linear model that can be kept or blended, is fitted again on training + validation.
    assert {name: row.get("fitted_on") for name, row in rows.items()} == {
        **{name: "train+validation" if name == best else "train" for name in LINEAR}, "network": None, "blend": None}


def test_a_blend_saves_reloads_zips_and_predicts_the_same_and_the_savedmodel_export_says_why_not(auto_result, tmp_path):
    blend = auto_result.candidates["blend"]
    assert blend.kind == "blend"
    texts = ["WINNER!! claim your free prize now", "are we still on for dinner tonight?", "ok"]
    expected = blend.predict_proba(texts)
    network = auto_result.candidates["network"].predict_proba(texts)
    tfidf = auto_result.candidates[blend.settings["blend"]["partner"]].predict_proba(texts)
    np.testing.assert_allclose(expected, blend.weight * network + (1 - blend.weight) * tfidf, atol=1e-6)
    blend.save(tmp_path / "b")
    assert {path.name for path in (tmp_path / "b").iterdir()} >= {"model.keras", "tfidf.npz", "terms.json"}
    np.testing.assert_allclose(Bundle.load(tmp_path / "b").predict_proba(texts), expected, atol=1e-6)
    unpacked = unpack_bundle(bundle_zip(tmp_path / "b", "blend"), tmp_path / "up")
    assert unpacked.kind == "blend"
    np.testing.assert_allclose(unpacked.predict_proba(texts), expected, atol=1e-6)
    with zipfile.ZipFile(io.BytesIO(bundle_zip(tmp_path / "b", "blend"))) as archive:
        assert "a blend of Embedding" in archive.read("README.md").decode()
    # Explanations read the blend's own probabilities.
    result = explain(blend, texts[0])
    assert result["probability"] == pytest.approx(float(expected[0].max()), abs=1e-4)
    with pytest.raises(UserError) as error:
        exportable(blend)
    assert error.value.key == "err.export_blend"


def test_a_blend_bundle_with_a_bad_weight_or_terms_is_refused(auto_result, tmp_path):
    auto_result.candidates["blend"].save(tmp_path / "b")
    settings = json.loads((tmp_path / "b" / "settings.json").read_text())
    (tmp_path / "b" / "settings.json").write_text(json.dumps({**settings, "blend": {"weight": "0.5"}}))
    with pytest.raises(UserError) as error:
        Bundle.load(tmp_path / "b")
    assert error.value.key == "err.bundle_unreadable" and "blend.weight" in str(error.value)
    (tmp_path / "b" / "settings.json").write_text(json.dumps(settings))
    (tmp_path / "b" / "terms.json").write_text(json.dumps(["only", "three", "terms"]))
    with pytest.raises(UserError) as error:
        Bundle.load(tmp_path / "b")
    assert "does not fit" in str(error.value)


def test_the_blend_weight_follows_validation_and_a_tie_keeps_the_simpler_model():
    y = np.array([0, 1, 0, 1])
    right = np.array([[.9, .1], [.2, .8], [.8, .2], [.3, .7]])
    wrong = right[:, ::-1]
    # The network right, TF-IDF wrong: the blend leans on the network and the network is kept.
    choice = choose_blend(right, wrong, y)
    assert choice["weight"] == 0.95 and choice["chosen"] == "network"
    # Both right: TF-IDF (the simplest) is kept.
    assert choose_blend(right, right, y)["chosen"] == "tfidf"


def test_automatic_with_learned_vectors_records_them_even_when_tfidf_is_kept():
    from core.models.vectors import learn_vectors
    from core.text import tokenize

    data = small_sample(rows=300)
    tokens = [tokenize(text, PreprocessConfig()) for text in data.texts]
    vectors = learn_vectors(tokens, dim=12, epochs=1)
    result = train_auto(data, PreprocessConfig(), TINY_MODEL, replace(TINY_TRAIN, epochs=1), None, vectors, [])
    assert result.bundle.settings["auto"]["vectors"]["dim"] == 12
    assert result.candidates["network"].settings["model"]["embedding_dim"] == 12


def test_the_linear_models_are_offered_before_the_network_trains_and_the_vectors_wait_for_them():
    """Issue 29 (anytime): TF-IDF + LR is offered as a usable model first, then the best linear model
    when it is another; word vectors are made only after that, and the network's epochs come last."""
    from core.training.train import TrainingCallback

    events = []

    class Recorder(TrainingCallback):
        def on_model_ready(self, candidate, val_accuracy, make_bundle, test_texts, test_labels):
            bundle = make_bundle()
            assert bundle.kind == "tfidf" and bundle.settings["auto"]["chosen"] == candidate
            assert bundle.metrics["val_accuracy"] == pytest.approx(val_accuracy)
            assert len(test_texts) == len(test_labels) == bundle.info.data.test > 0
            assert_usable(bundle)
            spam = bundle.predict_proba(["WINNER!! claim your free prize now", "are we still on for dinner tonight?"])
            assert spam[0, bundle.labels.index("spam")] > spam[1, bundle.labels.index("spam")]
            events.append(("ready", candidate))

        def on_epoch_end(self, epoch, logs):
            events.append(("epoch", epoch))

    def network_inputs():
        events.append(("vectors", None))
        return None, None

    result = train_auto(small_sample(rows=500), PreprocessConfig(), TINY_MODEL, TINY_TRAIN, Recorder(),
                        network_inputs=network_inputs)
    kinds = [kind for kind, _ in events]
    assert events[0] == ("ready", "tfidf")
    assert kinds.index("vectors") > max(i for i, kind in enumerate(kinds) if kind == "ready")
    assert kinds.index("epoch") > kinds.index("vectors")
    auto = result.bundle.settings["auto"]
    readies = [name for kind, name in events if kind == "ready"]
    assert auto["ready"] == readies[-1] and auto["ready_seconds"] > 0
    rows = {row["name"]: row for row in result.bundle.metrics["candidates"]}
    assert readies[-1] == expected_choice(rows, list(LINEAR), result.bundle.info.data.validation)
