"""Training presets chosen from the data — Fast, Balanced, Accurate — and how long they take.

Each preset is a full set of settings (:class:`core.base.config.ModelConfig`,
:class:`core.base.config.TrainConfig` and a padding length), picked from the size of the data, the
length of its texts and its class balance by the per-preset values in :mod:`core.models.settings`. The time estimate comes from a short measurement of
this machine (a few training steps of a reference model, once per process) scaled by the work
each setting adds: tokens per text, recurrent units, layers, directions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.base.config import ModelConfig, TrainConfig
from core.models.settings import PRESETS, DataProfile, RunPlan, plan_run, preset_values
from core.text import PreprocessConfig, suggest_length, tokenize
from core.training.batching import suggest_class_weight

PROFILE_SAMPLE = 2000


@dataclass(frozen=True)
class Preset:
    """One preset: its settings and the estimated training time on this machine."""

    name: str
    model: ModelConfig
    train: TrainConfig
    max_length: int
    seconds_per_epoch: float
    values: dict   # every setting's value (core.models.settings), the base of plan_run

    @property
    def max_seconds(self) -> float:
        """Time for every planned epoch (early stopping usually ends sooner)."""
        return self.seconds_per_epoch * self.train.epochs

    def plan(self, overrides: dict | None = None, preprocess: PreprocessConfig | None = None) -> RunPlan:
        """This preset changed by ``overrides`` (see :func:`core.models.settings.plan_run`)."""
        return plan_run(self.values, overrides, preprocess)


def profile(texts, labels, preprocess: PreprocessConfig) -> DataProfile:
    """Measure the data on at most 2,000 texts (evenly spread, so it takes well under a second)."""
    texts = list(texts)
    step = max(1, len(texts) // PROFILE_SAMPLE)
    counts = [len(tokenize(text, preprocess)) for text in texts[::step]]
    length = preprocess.max_length or suggest_length(counts)
    return DataProfile(len(texts), len(set(labels)), float(np.mean(counts)) if counts else 1.0, length,
                       suggest_class_weight(labels))


def choose(data: DataProfile, train_share: float = 0.8) -> dict[str, Preset]:
    """The three presets for ``data``: Fast, Balanced and Accurate, each setting's value as
    :data:`core.models.settings.SETTINGS` defines it per preset.

    Examples
    --------
    >>> presets = choose(DataProfile(rows=40_000, classes=4, mean_tokens=40, length=80, class_weight="none"))
    >>> presets["balanced"].model.lstm_units, presets["balanced"].train.batch_size
    (128, 64)
    """
    train_rows = max(1, int(data.rows * train_share))
    chosen = {}
    for name in PRESETS:
        values = preset_values(name, data)
        plan = plan_run(values)
        length = plan.preprocess.max_length or data.length   # a plan always sets it; the data's length else
        seconds = estimate_epoch_seconds(plan.model, plan.train, train_rows, min(data.mean_tokens, length))
        chosen[name] = Preset(name, plan.model, plan.train, length, seconds, values)
    return chosen


def _work(model: ModelConfig, tokens: float) -> float:
    """Relative work per training example: recurrent steps × gate weights (+ convolution)."""
    gates = 4 if model.rnn == "lstm" else 3
    directions = 2 if model.bidirectional else 1
    width = model.embedding_dim if not model.conv_filters else model.conv_filters
    work = gates * model.lstm_units * (width + model.lstm_units) * directions
    work += (model.layers - 1) * gates * model.lstm_units * (model.lstm_units * directions + model.lstm_units) * directions
    if model.conv_filters:
        work += model.conv_filters * model.embedding_dim * model.conv_kernel
    return max(1.0, tokens) * work


EPOCH_OVERHEAD_S = 1.0
STEP_OVERHEAD_S = 0.015
REFERENCE = ModelConfig(embedding_dim=64, lstm_units=64, dropout_rate=0.0)
REFERENCE_TOKENS = 32


@lru_cache(maxsize=1)
def reference_rate() -> float:
    """Training examples per second of the reference model (embedding 64, LSTM 64, 32
    tokens, batch 32) on this machine's training device, measured once per process (~2 s)."""
    # lazy: Keras loads TensorFlow (~5 s): only the network path pays for it
    import keras

    # lazy: core.models.model loads TensorFlow (~5 s): only the network path pays for it
    from core.models.model import build_model

    model = build_model(1000, 2, REFERENCE)
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    ids = rng.integers(2, 1000, size=(32, REFERENCE_TOKENS)).astype("int32")
    labels = rng.integers(0, 2, size=32).astype("int32")
    model.train_on_batch(ids, labels)  # builds and traces
    steps = 6
    started = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(ids, labels)
    return steps * 32 / (time.perf_counter() - started)


def estimate_epoch_seconds(model: ModelConfig, train: TrainConfig, train_rows: int, tokens: float) -> float:
    """Estimated seconds for one epoch of ``train_rows`` texts of ``tokens`` tokens on average
    (batches are length-bucketed, so the mean length is what costs). Larger batches use the
    machine better, roughly in proportion to the square root of their size; the validation
    pass (forward only, about a third of a training step's work per text), a fixed cost per
    epoch and per step are added. On sms_spam and an imdb sample the estimate was within
    5 % of the measured time for the large presets and 0.3 s for the small ones."""
    rate = reference_rate() * _work(REFERENCE, REFERENCE_TOKENS) / _work(model, tokens)
    rate *= (train.batch_size / 32) ** 0.5
    validation = train.validation_share / max(0.1, 1 - train.validation_share - train.test_share) / 3
    steps = train_rows / train.batch_size
    return train_rows / rate * (1 + validation) + EPOCH_OVERHEAD_S + steps * STEP_OVERHEAD_S
