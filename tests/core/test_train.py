"""Model building and training on small real data with a tiny real LSTM."""

import json
import subprocess
import sys

import numpy as np
import pytest

from core.base.config import TrainConfig
from core.base.errors import UserError
from core.models.model import ModelConfig, build_model
from core.models.tfidf import analyzer_for
from core.text import PreprocessConfig
from core.training.batching import split_dataset
from core.training.train import TrainingCallback, train
from tests.conftest import ROOT, assert_usable
from tests.core.conftest import TINY_MODEL, small_sample


def test_model_is_embedding_lstm_dense_softmax():
    model = build_model(50, 3, ModelConfig(embedding_dim=8, lstm_units=4))
    names = [layer.name for layer in model.layers]
    assert names[1] == "embedding" and "lstm" in names and names[-1] == "probabilities"
    assert model.get_layer("embedding").mask_zero
    probabilities = np.asarray(model(np.array([[2, 3, 0, 0]], dtype=np.int32)))
    assert probabilities.shape == (1, 3)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-5)


def test_padding_does_not_change_the_output():
    model = build_model(50, 2, ModelConfig(embedding_dim=8, lstm_units=4, pooling="max"))
    short = np.asarray(model(np.array([[5, 6, 7]], dtype=np.int32)))
    padded = np.asarray(model(np.array([[5, 6, 7, 0, 0, 0]], dtype=np.int32)))
    np.testing.assert_allclose(short, padded, rtol=0, atol=1e-6)


def test_token_pairs_see_each_pair_and_ignore_padding():
    from core.models.model import TokenPairEmbedding, pair_buckets

    model = build_model(50, 2, ModelConfig(embedding_dim=8, lstm_units=4, token_pairs=True), pair_table=1024)
    assert model.get_layer("pair_embedding").buckets == 1024
    short = np.asarray(model(np.array([[5, 6, 7]], dtype=np.int32)))
    padded = np.asarray(model(np.array([[5, 6, 7, 0, 0, 0]], dtype=np.int32)))
    np.testing.assert_allclose(short, padded, rtol=0, atol=1e-6)
    pairs = np.asarray(TokenPairEmbedding(64, 4)(np.array([[5, 6, 7, 0], [7, 6, 5, 0]], dtype=np.int32)))
    assert np.abs(pairs[:, :2]).sum(axis=-1).min() > 0            # (5,6), (6,7) / (7,6), (6,5) have vectors
    assert not pairs[:, 2:].any()                                  # the last token and padding: none
    assert not np.allclose(pairs[0, 0], pairs[1, 1])               # (5,6) is not (6,5): order counts
    assert pair_buckets([["a", "b"]] * 3) == 1024 and pair_buckets([[str(i), str(i + 1)] for i in range(40_000)], 1) == 65536
    from core.training.memory import estimate_memory

    plain = estimate_memory(20_000, 2, ModelConfig(), TrainConfig(), 100, 1000)["weights"]
    known = estimate_memory(20_000, 2, ModelConfig(token_pairs=True), TrainConfig(), 100, 1000, 2048)["weights"]
    unknown = estimate_memory(20_000, 2, ModelConfig(token_pairs=True), TrainConfig(), 100, 1000)["weights"]
    assert known - plain == 2048 * 128 * 16 and unknown - plain == 65536 * 128 * 16


def test_split_is_stratified_disjoint_and_seeded():
    labels = ["a"] * 80 + ["b"] * 20
    split = split_dataset(labels, 0.1, 0.1, seed=1)
    parts = [set(split.train), set(split.validation), set(split.test)]
    assert sum(map(len, parts)) == 100 and not (parts[0] & parts[1]) and not (parts[0] & parts[2])
    assert sorted(labels[i] for i in split.test) == ["a"] * 8 + ["b"] * 2
    assert split_dataset(labels, 0.1, 0.1, seed=1).test.tolist() == split.test.tolist()


def test_rare_class_goes_to_training_instead_of_failing():
    labels = ["a"] * 50 + ["b"] * 50 + ["c"]
    split = split_dataset(labels, 0.1, 0.1, seed=0)
    assert 100 in split.train


def test_training_learns_and_reports(tiny_result):
    metrics = tiny_result.bundle.metrics
    assert metrics["epochs"] == 2
    assert set(metrics["history"]) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert metrics["history"]["loss"][-1] < metrics["history"]["loss"][0]
    # 400 SMS, 2 epochs: well above the 87 % of always answering "ham".
    assert metrics["test"]["accuracy"] >= 0.9
    assert len(tiny_result.test_texts) == metrics["test"]["n"] == 40
    assert tiny_result.bundle.preprocess.max_length >= 8


def test_callback_hooks_fire_and_stop_ends_training_early():
    events = []

    class Recorder(TrainingCallback):
        def on_train_begin(self, info):
            events.append(("begin", info["steps"]))

        def on_batch_end(self, epoch, step, steps):
            events.append(("batch", epoch, step))

        def on_epoch_end(self, epoch, logs):
            events.append(("epoch", epoch, sorted(logs)))

        def should_stop(self):
            return sum(1 for event in events if event[0] == "batch") >= 3

    result = train(small_sample(rows=300), PreprocessConfig(), TINY_MODEL,
                   TrainConfig(epochs=5, batch_size=16, seed=1), Recorder())
    assert events[0][0] == "begin"
    assert sum(1 for event in events if event[0] == "batch") == 3
    assert result.stopped_early and result.bundle.metrics["stopped_by_user"]
    assert_usable(result.bundle)


def test_same_seed_same_model_on_cpu():
    dataset = small_sample(rows=200)
    config = TrainConfig(epochs=1, batch_size=32, seed=3)
    first = train(dataset, PreprocessConfig(), TINY_MODEL, config).bundle
    second = train(dataset, PreprocessConfig(), TINY_MODEL, config).bundle
    for a, b in zip(first.model.get_weights(), second.model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_invalid_settings_are_user_errors():
    with pytest.raises(UserError, match="batch"):
        train(small_sample(rows=100), PreprocessConfig(), TINY_MODEL, TrainConfig(batch_size=512))
    with pytest.raises(UserError, match="optimizer"):
        TrainConfig(optimizer="lbfgs")
    with pytest.raises(UserError, match="lstm_units"):
        ModelConfig(lstm_units=0)
    with pytest.raises(UserError, match="at least"):
        train(small_sample(rows=12), PreprocessConfig(), TINY_MODEL, TrainConfig(batch_size=2))


def test_sgd_and_chinese_characters_train():
    dataset = small_sample("thucnews_titles", rows=300)
    result = train(dataset, PreprocessConfig(tokenizer="char"), TINY_MODEL,
                   TrainConfig(epochs=1, optimizer="sgd", learning_rate=0.05, batch_size=16, seed=2))
    assert result.bundle.labels == sorted(set(dataset.labels))
    assert result.bundle.preprocess.tokenizer == "char"
    assert np.isfinite(result.bundle.metrics["history"]["loss"][0])
    # The baseline is the best linear model, with the features its method uses for Chinese (characters
    # for TF-IDF + LR, words and characters for the SVM, words for NB-LR).
    baseline = result.bundle.metrics["baseline"]
    assert baseline["analyzer"] == analyzer_for("char", baseline["method"])
    assert analyzer_for("char", "lr") == "chars" and analyzer_for("char", "svm") == "words+chars"


def test_the_linear_baseline_is_measured_on_the_same_test_rows(tiny_result):
    from core.models.baseline import verdict

    baseline = tiny_result.bundle.metrics["baseline"]
    assert baseline["on"] == "test" and baseline["n"] == len(tiny_result.test_texts)
    # The best linear model on validation, named for what it is.
    assert baseline["name"].startswith({"lr": "TF-IDF", "nblr": "NB-weighted", "svm": "linear SVM"}[baseline["method"]])
    assert 0.85 <= baseline["accuracy"] <= 1.0          # SMS spam is easy for TF-IDF
    assert [row["label"] for row in baseline["per_class"]] == ["ham", "spam"]
    assert verdict(0.90, 0.95) == "worse" and verdict(0.952, 0.95) == "same" and verdict(0.97, 0.95) == "better"


def test_class_weights_are_suggested_for_imbalance_and_help_the_rare_class():
    from core.training.batching import class_weights, suggest_class_weight

    assert suggest_class_weight(["ham"] * 87 + ["spam"] * 13) == "balanced"
    assert suggest_class_weight(["a"] * 40 + ["b"] * 60) == "none"
    weights = class_weights(np.array([0] * 90 + [1] * 10), 2)
    assert weights == {0: 0.5556, 1: 5.0}
    # On the 87 %-ham sample, balanced weights make the same tiny model surer of the spam it
    # sees (the rare class counts 3.8× in the loss) and find at least as much of it.
    dataset = small_sample(rows=600)
    plain = train(dataset, PreprocessConfig(), TINY_MODEL, TrainConfig(epochs=2, learning_rate=0.01, seed=5,
                                                                       baseline=False))
    weighted = train(dataset, PreprocessConfig(), TINY_MODEL,
                     TrainConfig(epochs=2, learning_rate=0.01, seed=5, baseline=False, class_weight="balanced"))

    def spam_recall(result):
        return next(row["recall"] for row in result.bundle.metrics["test"]["per_class"] if row["label"] == "spam")

    def spam_probability(result):
        spam = [text for text, label in zip(result.test_texts, result.test_labels) if label == "spam"]
        return float(result.bundle.predict_proba(spam)[:, result.bundle.labels.index("spam")].mean())

    assert spam_probability(weighted) > spam_probability(plain) + 0.05
    assert spam_recall(weighted) >= spam_recall(plain)
    assert weighted.bundle.settings["train"]["class_weight"] == "balanced"


def test_rmsprop_plateau_schedule_and_no_restore():
    dataset = small_sample(rows=300)
    result = train(dataset, PreprocessConfig(), TINY_MODEL,
                   TrainConfig(epochs=4, optimizer="rmsprop", lr_schedule="plateau", learning_rate=0.05,
                               early_stopping_patience=0, seed=4, baseline=False))
    history = result.bundle.metrics["history"]
    assert len(history["loss"]) == 4 and "learning_rate" in history
    rates = history["learning_rate"]
    # The rate only ever halves, and it does so after an epoch without a better validation loss.
    assert all(b in (a, a / 2) for a, b in zip(rates, rates[1:]))
    worse = [i for i in range(1, 4) if history["val_loss"][i] >= min(history["val_loss"][:i])]
    if worse and worse[0] < 3:
        assert rates[worse[0] + 1] == pytest.approx(rates[0] / 2)
    for name, value in [("lr_schedule", "cosine"), ("class_weight", "auto"), ("optimizer", "adagrad")]:
        with pytest.raises(UserError, match=name):
            TrainConfig(**{name: value})


def test_batches_start_with_one_that_splits_evenly_across_devices():
    from core.training.batching import batch_rows

    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 60, size=1_101).tolist()
    for replicas, batch in [(1, 32), (2, 32), (3, 32), (2, 17), (4, 256)]:
        plain = batch_rows(lengths, batch, None, replicas)
        for shuffled in (plain, batch_rows(lengths, batch, np.random.default_rng(5), replicas)):
            assert sorted(np.concatenate(shuffled).tolist()) == list(range(len(lengths)))  # each row once
            assert max(len(rows) for rows in shuffled) <= batch
            assert len(shuffled) == len(plain)  # the count tf.data is told holds for every epoch
            if replicas > 1:
                assert len(shuffled[0]) % replicas == 0
    # 1,101 rows in batches of 32 for one device: 35 batches, the first of whatever size came first.
    assert len(batch_rows(lengths, 32, None, 1)) == 35
    assert [len(rows) for rows in batch_rows([3] * 251, 256, None, 2)] == [250, 1]


def test_training_runs_on_two_devices_through_the_mirrored_strategy(tmp_path):
    """Several GPUs train through tf.distribute.MirroredStrategy (core.training.train.configure_devices).
    Two logical CPU devices stand in for them, in a fresh process (TensorFlow fixes its devices
    when it starts): the same training code, with batches that do not all split evenly (the
    sample's 251 validation rows crashed Keras's distributed build before), gives a model that
    learned and reloads to the same probabilities."""
    script = f"""
import json
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import core.training.train as T
from core.models.bundle import Bundle
from core.data.dataset import SAMPLES, load_dataset
from core.models.model import ModelConfig
from core.text import PreprocessConfig
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
T.configure_devices = lambda: {{"strategy": strategy, "mixed_precision": False, "gpus": 2}}
data, _ = load_dataset(SAMPLES["sms_spam"].path)
result = T.train(data, PreprocessConfig(), ModelConfig(embedding_dim=16, lstm_units=16, token_pairs=True),
                 T.TrainConfig(epochs=4, batch_size=32, learning_rate=0.003, class_weight="balanced"))
result.bundle.save({str(tmp_path / "model")!r})
again = Bundle.load({str(tmp_path / "model")!r})
same = bool(np.allclose(again.predict_proba(result.test_texts), result.bundle.predict_proba(result.test_texts), atol=1e-5))
split = T.split_dataset(data.labels, 0.1, 0.1, 42)
print(json.dumps({{"replicas": strategy.num_replicas_in_sync, "validation_rows": len(split.validation),
                  "epochs": len(result.bundle.metrics["history"]["val_loss"]),
                  "accuracy": result.bundle.metrics["test"]["accuracy"], "same": same}}))
"""
    out = run_fresh(script)
    assert out["replicas"] == 2 and out["validation_rows"] % 2 == 1 and out["epochs"] == 4 and out["same"]
    assert out["accuracy"] > 0.95  # 87 % of the sample is ham: above that it learned


def test_training_in_mixed_precision_as_on_a_gpu(tmp_path):
    """On a GPU training runs in mixed precision (float16 compute, float32 weights and output);
    Keras runs that policy on the CPU too, so every layer of the app is trained under it here
    (a fresh process: the policy is global) and the bundle, reloaded in float32, agrees."""
    script = f"""
import json
import keras
import numpy as np
import tensorflow as tf
import core.training.train as T
from core.models.bundle import Bundle
from core.data.dataset import SAMPLES, load_dataset
from core.models.model import ModelConfig
from core.text import PreprocessConfig

def mixed():
    keras.mixed_precision.set_global_policy("mixed_float16")  # what configure_devices does on a GPU
    return {{"strategy": tf.distribute.get_strategy(), "mixed_precision": True, "gpus": 1}}

T.configure_devices = mixed
data, _ = load_dataset(SAMPLES["sms_spam"].path)
everything = ModelConfig(embedding_dim=16, lstm_units=16, token_pairs=True, conv_filters=16, bidirectional=True,
                         dense_units=16)
result = T.train(data, PreprocessConfig(), everything,
                 T.TrainConfig(epochs=3, batch_size=32, learning_rate=0.003, class_weight="balanced"))
result.bundle.save({str(tmp_path / "model")!r})
compute = str(result.bundle.model.get_layer("embedding").compute_dtype)
keras.mixed_precision.set_global_policy("float32")
again = Bundle.load({str(tmp_path / "model")!r})
gap = float(np.abs(again.predict_proba(result.test_texts) - result.bundle.predict_proba(result.test_texts)).max())
print(json.dumps({{"compute": compute, "settings": result.bundle.settings["device"]["mixed_precision"],
                  "accuracy": result.bundle.metrics["test"]["accuracy"], "gap": gap}}))
"""
    out = run_fresh(script)
    assert out["compute"] == "float16" and out["settings"] is True
    assert out["accuracy"] > 0.95 and out["gap"] < 0.01


def run_fresh(script: str) -> dict:
    """Run ``script`` in a new Python process from the repository root; its last line as JSON."""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_tfidf_run_never_loads_tensorflow():
    """Issue 27: a TF-IDF run took 19 s in the app, most of it importing TensorFlow, which the
    worker imported with core.training.train (Keras's callback class at module level)."""
    script = ("import sys\nfrom core.training.worker import run\nfrom core.data.dataset import SAMPLES, load_dataset\n"
              "from core.text import default_config\nfrom core.base.config import TrainConfig\n"
              "from core.training.train import train_tfidf\n"
              "dataset, _ = load_dataset(SAMPLES['sms_spam'].path)\n"
              "result = train_tfidf(dataset, default_config(dataset.texts), TrainConfig(), None)\n"
              "assert result.bundle.metrics['val_accuracy'] > 0.9\n"
              "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "False"]
