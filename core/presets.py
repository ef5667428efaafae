"""Training presets chosen from the data — Fast, Balanced, Accurate — and how long they take.

Each preset is a full set of settings (:class:`core.model.ModelConfig`,
:class:`core.train.TrainConfig` and a padding length), picked from the size of the data, the
length of its texts and its class balance. The time estimate comes from a short measurement of
this machine (a few training steps of a reference model, once per process) scaled by the work
each setting adds: tokens per text, recurrent units, layers, directions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.model import ModelConfig
from core.text import MAX_LENGTH_CAP, PreprocessConfig, suggest_length, tokenize
from core.train import TrainConfig, suggest_class_weight

PRESETS = ("fast", "balanced", "accurate")
PROFILE_SAMPLE = 2000
FAST_LENGTH = 128


@dataclass(frozen=True)
class DataProfile:
    """What the presets look at: rows, classes, tokens per text, class balance."""

    rows: int
    classes: int
    mean_tokens: float
    length: int          # the padding length the app would choose (95th percentile, capped)
    class_weight: str    # "balanced" for imbalanced data, else "none"


@dataclass(frozen=True)
class Preset:
    """One preset: its settings and the estimated training time on this machine."""

    name: str
    model: ModelConfig
    train: TrainConfig
    max_length: int
    seconds_per_epoch: float

    @property
    def max_seconds(self) -> float:
        """Time for every planned epoch (early stopping usually ends sooner)."""
        return self.seconds_per_epoch * self.train.epochs


def profile(texts, labels, preprocess: PreprocessConfig) -> DataProfile:
    """Measure the data on at most 2,000 texts (evenly spread, so it takes well under a second)."""
    texts = list(texts)
    step = max(1, len(texts) // PROFILE_SAMPLE)
    counts = [len(tokenize(text, preprocess)) for text in texts[::step]]
    length = preprocess.max_length or suggest_length(counts)
    return DataProfile(len(texts), len(set(labels)), float(np.mean(counts)) if counts else 1.0, length,
                       suggest_class_weight(labels))


def choose(data: DataProfile, train_share: float = 0.8) -> dict[str, Preset]:
    """The three presets for ``data``.

    * **fast** — GRU 64 on texts cut to 128 tokens, 4 epochs, larger steps (learning rate 0.003).
    * **balanced** — the recipe: embedding 128, LSTM 128 with batch 64 on 5,000+ texts, else
      LSTM 64 with batch 32 (more dropout below 3,000), max pooling, learning rate 0.002, up
      to 10 epochs with early stopping.
    * **accurate** — bidirectional LSTM, more dropout, up to 15 epochs with a learning-rate
      schedule and patience 3.

    All use the suggested class weights.

    Examples
    --------
    >>> presets = choose(DataProfile(rows=40_000, classes=4, mean_tokens=40, length=80, class_weight="none"))
    >>> presets["balanced"].model.lstm_units, presets["balanced"].train.batch_size
    (128, 64)
    """
    small = data.rows < 3000
    few = data.rows < 5000
    batch = 32 if few else 64
    weight = data.class_weight
    chosen = {
        "fast": (ModelConfig(embedding_dim=64, lstm_units=64, rnn="gru", dropout_rate=0.2),
                 TrainConfig(epochs=4, batch_size=batch, learning_rate=0.003, early_stopping_patience=1,
                             class_weight=weight),
                 min(data.length, FAST_LENGTH)),
        "balanced": (ModelConfig(embedding_dim=128, lstm_units=64 if few else 128, dropout_rate=0.3 if small else 0.2),
                     # On ag_news batch 64 at 0.002 matched batch 32 at 0.001 (0.8434 test accuracy) in
                     # 47 s instead of 74 s; on sms_spam LSTM 64 at 0.002 reached 0.9896 (LSTM 128 at
                     # 0.001: 0.9884, means of 7 seeds) in 17 s instead of 25 s (bench/run.py).
                     TrainConfig(epochs=10, batch_size=batch, learning_rate=0.002,
                                 early_stopping_patience=2, class_weight=weight),
                     data.length),
        "accurate": (ModelConfig(embedding_dim=128, lstm_units=128, bidirectional=True, dropout_rate=0.3),
                     TrainConfig(epochs=15, batch_size=32, learning_rate=0.001, early_stopping_patience=3,
                                 lr_schedule="plateau", class_weight=weight),
                     min(MAX_LENGTH_CAP, data.length)),
    }
    train_rows = max(1, int(data.rows * train_share))
    return {name: Preset(name, model, train, length,
                         round(estimate_epoch_seconds(model, train, train_rows, min(data.mean_tokens, length)), 1))
            for name, (model, train, length) in chosen.items()}


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
    import keras

    from core.model import build_model

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
