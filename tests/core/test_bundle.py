"""Bundles: save, load, and exactly the same probabilities from raw text."""

import json
import time

import numpy as np
import pytest

from core.base.errors import UserError
from core.models.bundle import Bundle
from core.models.evaluate import evaluate
from core.store import ModelStore

TEXTS = ["WINNER! Claim your free prize now, call 0800 123", "ok see you at lunch", "", "!!!", "a " * 500]


def test_loaded_bundle_gives_exactly_the_same_probabilities(tiny_result, tmp_path):
    bundle = tiny_result.bundle
    bundle.save(tmp_path / "b")
    loaded = Bundle.load(tmp_path / "b")
    assert loaded.labels == bundle.labels
    assert loaded.preprocess == bundle.preprocess
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), bundle.predict_proba(TEXTS))
    np.testing.assert_array_equal(loaded.predict_proba(tiny_result.test_texts),
                                  bundle.predict_proba(tiny_result.test_texts))


def test_bundle_files_are_json_and_keras(tiny_result, tmp_path):
    folder = tiny_result.bundle.save(tmp_path / "b")
    names = sorted(path.name for path in folder.iterdir())
    assert names == ["labels.json", "metrics.json", "model.keras", "preprocess.json", "settings.json",
                     "vocabulary.json"]
    assert json.loads((folder / "labels.json").read_text()) == ["ham", "spam"]
    assert not list(tmp_path.glob(".b.*")), "the staging folder is renamed, not left behind"


def test_predict_one_and_batch_agree(tiny_result):
    bundle = tiny_result.bundle
    one = bundle.predict_one(TEXTS[0])
    assert set(one["probabilities"]) == {"ham", "spam"}
    assert sum(one["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
    batch = bundle.predict_proba(TEXTS)
    assert one["probabilities"][one["label"]] == pytest.approx(batch[0].max(), abs=1e-6)


def test_single_prediction_does_not_use_model_predict(tiny_result, monkeypatch):
    bundle = tiny_result.bundle
    bundle.predict_one("warm up")
    monkeypatch.setattr(bundle.model, "predict", lambda *a, **k: pytest.fail("model.predict was called"))
    started = time.perf_counter()
    for _ in range(20):
        bundle.predict_one("free entry in a weekly competition")
    assert time.perf_counter() - started > 0  # timing figures live in bench/, not here


def test_evaluate_matches_the_training_time_test_metrics(tiny_result):
    metrics = evaluate(tiny_result.bundle, tiny_result.test_texts, tiny_result.test_labels)
    assert metrics.accuracy == tiny_result.bundle.info.test.accuracy


def test_missing_and_incomplete_bundles_are_user_errors(tiny_result, tmp_path):
    with pytest.raises(UserError) as caught:
        Bundle.load(tmp_path / "nothing")
    assert caught.value.key == "err.bundle_missing"
    folder = tiny_result.bundle.save(tmp_path / "b")
    (folder / "vocabulary.json").unlink()
    with pytest.raises(UserError, match="vocabulary.json"):
        Bundle.load(folder)


def test_model_store_keeps_bundle_and_test_split(tiny_result, tmp_path):
    store = ModelStore(tmp_path)
    entry = store.add(tiny_result.bundle, "my model", "sms", tiny_result.test_texts, tiny_result.test_labels)
    assert store.entry(entry.model_id).name == "my model"
    assert store.test_split(entry.model_id)["text"].tolist() == tiny_result.test_texts
    np.testing.assert_array_equal(store.load(entry.model_id).predict_proba(TEXTS),
                                  tiny_result.bundle.predict_proba(TEXTS))


def test_bidirectional_chinese_word_bundle_round_trips(tiny_chinese_result, tmp_path):
    """A bundle keeps the Chinese settings (segmenter, stop words) and a bidirectional model
    loads back giving the same probabilities."""
    from core.models.model import ModelConfig
    from core.training.train import TrainConfig, train
    from tests.core.conftest import small_sample

    result = train(small_sample("thucnews_titles", 300), tiny_chinese_result.bundle.preprocess,
                   ModelConfig(embedding_dim=8, lstm_units=8, bidirectional=True), TrainConfig(epochs=1, seed=3))
    texts = ["央行宣布下调存款准备金率", "湖人队客场击败勇士队"]
    loaded = Bundle.load(result.bundle.save(tmp_path / "bundle"))
    assert loaded.preprocess == result.bundle.preprocess and loaded.preprocess.tokenizer == "jieba"
    np.testing.assert_array_equal(loaded.predict_proba(texts), result.bundle.predict_proba(texts))
    assert json.loads((tmp_path / "bundle" / "settings.json").read_text())["model"]["bidirectional"] is True


def test_every_architecture_option_trains_saves_and_reloads(tmp_path):
    """GRU, stacked, bidirectional, Conv1D, dense layer, L2 and token pairs together: the bundle
    reloads in safe mode and gives the same probabilities; padding does not change a text's result."""
    from core.models.bundle import Bundle
    from core.models.model import ModelConfig
    from core.text import PreprocessConfig
    from core.training.train import TrainConfig, train
    from tests.core.conftest import small_sample

    config = ModelConfig(embedding_dim=8, lstm_units=8, rnn="gru", layers=2, bidirectional=True, conv_filters=8,
                         conv_kernel=3, dense_units=8, l2=1e-4, token_pairs=True)
    result = train(small_sample(rows=200), PreprocessConfig(), config, TrainConfig(epochs=1, seed=3, baseline=False))
    bundle = result.bundle
    bundle.save(tmp_path / "b")
    loaded = Bundle.load(tmp_path / "b")
    texts = ["free prize now", "a much longer text about lunch tomorrow and the weather and more words"]
    np.testing.assert_allclose(loaded.predict_proba(texts), bundle.predict_proba(texts), atol=1e-6)
    alone = bundle.predict_ids([bundle.encode(texts[:1])[0]] * 2)  # padded only to its own length
    together = bundle.predict_ids(bundle.encode(texts))             # padded to the longer text
    np.testing.assert_allclose(alone[0], together[0], atol=1e-5)
    assert [layer.name for layer in loaded.model.layers if "gru" in layer.name or "bidirectional" in layer.name]
    assert loaded.model.get_layer("pair_embedding").buckets == 1024
