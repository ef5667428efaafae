"""The settings of a run as small frozen dataclasses, round-tripping through JSON.

:class:`ModelConfig` (the network) and :class:`TrainConfig` (fitting) live here, apart from the
code that uses them, so that reading or checking a configuration never imports TensorFlow (the
CLI parses its options and the Train page draws its widgets before any model exists).
:class:`core.text.PreprocessConfig` is the third. Every setting a user can change is described
once, with its range, presets, labels and command-line flag, in :mod:`core.models.settings`.

Change a frozen config with ``dataclasses.replace(config, field=value)``: it raises on a
misspelled field, where rebuilding it from a dict would silently drop it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, fields

from core.base.errors import UserError


class JsonConfig:
    """Mixin for frozen dataclasses: ``to_dict`` and a ``from_dict`` that ignores unknown keys,
    so a bundle saved by a newer version with extra settings still loads."""

    def to_dict(self) -> dict:
        return asdict(self)  # type: ignore[call-overload]  # every subclass is a dataclass

    @classmethod
    def from_dict(cls, data: dict):
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]  # every subclass is a dataclass
        return cls(**{key: value for key, value in data.items() if key in known})

    def check(self, *checks) -> None:
        """Raise ``err.bad_setting`` for the first ``(field, ok, allowed)`` whose ``ok`` is false."""
        for name, ok, allowed in checks:
            if not ok:
                raise UserError("err.bad_setting", name=name, value=getattr(self, name), allowed=allowed)


# The steps the Train page's sliders offer, which the presets pick from and the diagnosis
# suggests (core.evaluation.diagnose).
BATCH_SIZES = (8, 16, 32, 64, 128, 256)
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.002, 0.003, 0.01, 0.03, 0.1)
L2_STEPS = (0.0, 0.00001, 0.0001, 0.001, 0.01)

RNNS = ("lstm", "gru")
POOLINGS = ("max", "last")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
SCHEDULES = ("none", "plateau")
CLASS_WEIGHTS = ("none", "balanced")
MIN_PAIR_BUCKETS, MAX_PAIR_BUCKETS = 1024, 65536


def steps_with(steps, value) -> tuple:
    """``steps`` with ``value`` among them, in order, so that a setting made elsewhere (the
    command line, a run's saved settings) is shown as it is instead of moved to the first step
    (what a Streamlit select slider does with a value it does not offer).

    Examples
    --------
    >>> steps_with((0.001, 0.003), 0.002)
    (0.001, 0.002, 0.003)
    >>> steps_with((32, 64), 64)
    (32, 64)
    """
    if value is None or value in steps:
        return tuple(steps)
    return tuple(sorted({*steps, value}))


@dataclass(frozen=True)
class ModelConfig(JsonConfig):
    """Architecture settings. Round-trips through JSON with ``to_dict``/``from_dict``.

    Attributes
    ----------
    embedding_dim : int
        Size of the vector learned for each token.
    lstm_units : int
        Size of the LSTM's memory; larger learns more patterns but is slower and overfits sooner.
    dropout_rate : float
        Share of values randomly zeroed while training (0 = off); fights overfitting.
    pooling : {"max", "last"}
        How the LSTM's outputs become one vector: ``last`` keeps the final state (the classic
        recipe); ``max`` takes the strongest signal at any position, which learns faster and
        better on long texts, where the final state forgets the beginning.
    bidirectional : bool
        Read each text both ways (two LSTMs, outputs joined): a word sees what follows it as
        well as what came before; about twice the training time.
    rnn : {"lstm", "gru"}
        The recurrent layer. GRU has fewer weights than LSTM and trains faster, often with
        the same accuracy. Both keep the cuDNN kernel eligible on a GPU.
    layers : int
        Recurrent layers stacked on each other (1–3); more can learn more, and overfit sooner.
    conv_filters : int
        0 (off) or the number of filters of a Conv1D block (kernel ``conv_kernel``, ReLU)
        before the recurrent layers: it picks up short phrases; padding stays masked.
    conv_kernel : int
    dense_units : int
        0 (off) or the size of a ReLU layer between the text vector and the output.
    l2 : float
        L2 weight penalty on the recurrent, convolution and dense kernels (0 = off); another
        way to fight overfitting.
    freeze_embedding : bool
        Keep the Embedding as it started (word vectors learned from unlabelled texts or read
        from a file) instead of fine-tuning it with the labels.
    token_pairs : bool
        Also learn a vector for each pair of neighbouring tokens (hashed into a table sized
        from the training data, see :func:`pair_buckets`) and add it to the first token's
        vector. Two Chinese characters are often a word of their own; on thucnews_titles with
        characters it lifted the Balanced preset's test accuracy from 0.759 to 0.805.
    """

    embedding_dim: int = 128
    lstm_units: int = 128
    dropout_rate: float = 0.2
    pooling: str = "max"
    bidirectional: bool = False
    rnn: str = "lstm"
    layers: int = 1
    conv_filters: int = 0
    conv_kernel: int = 5
    dense_units: int = 0
    l2: float = 0.0
    token_pairs: bool = False
    freeze_embedding: bool = False

    def __post_init__(self):
        self.check(("embedding_dim", 2 <= self.embedding_dim <= 1024, "2 … 1024"),
                   ("lstm_units", 2 <= self.lstm_units <= 1024, "2 … 1024"),
                   ("dropout_rate", 0.0 <= self.dropout_rate < 0.9, "0 … 0.9"),
                   ("pooling", self.pooling in POOLINGS, ", ".join(POOLINGS)),
                   ("rnn", self.rnn in RNNS, ", ".join(RNNS)), ("layers", 1 <= self.layers <= 3, "1 … 3"),
                   ("conv_filters", 0 <= self.conv_filters <= 1024, "0 … 1024"),
                   ("conv_kernel", 1 <= self.conv_kernel <= 15, "1 … 15"),
                   ("dense_units", 0 <= self.dense_units <= 1024, "0 … 1024"), ("l2", 0.0 <= self.l2 <= 0.1, "0 … 0.1"))


@dataclass(frozen=True)
class TrainConfig(JsonConfig):
    """Fitting settings. Round-trips through JSON with ``to_dict``/``from_dict``.

    Attributes
    ----------
    epochs : int
        Passes over the training data (early stopping may end sooner).
    batch_size : int
        Examples per weight update.
    optimizer : {"adam", "sgd", "rmsprop"}
    learning_rate : float
        Step size of each update: too high is unstable, too low learns slowly.
    validation_share, test_share : float
        Shares of the data held out (stratified, seeded) to pick the best epoch and to test.
    early_stopping_patience : int
        Stop after this many epochs without a better validation loss and keep the best
        weights; 0 turns early stopping off.
    seed : int
        Same seed, data and settings on the CPU give the same model.
    baseline : bool
        Also fit TF-IDF + logistic regression on the same rows and tokens and record its
        held-out metrics (``metrics["baseline"]``), so the model can be judged against it.
    lr_schedule : {"none", "plateau"}
        ``plateau`` halves the learning rate when the validation loss has not improved for
        an epoch (Keras ReduceLROnPlateau).
    class_weight : {"none", "balanced"}
        ``balanced`` weighs each class by n / (classes × its count), so a rare class counts as
        much as a common one (see :func:`suggest_class_weight`).
    restore_best : bool
        With early stopping, end with the weights of the best epoch (on by default).
    checkpoint : bool
        Keep the best weights so far after every epoch that improved them (on by default), so a
        run cut short by a server crash still leaves a usable model (see ``core.training.jobs.recover``).
    """

    epochs: int = 10
    batch_size: int = 32
    optimizer: str = "adam"
    learning_rate: float = 0.001
    validation_share: float = 0.1
    test_share: float = 0.1
    early_stopping_patience: int = 2
    seed: int = 42
    baseline: bool = True
    lr_schedule: str = "none"
    class_weight: str = "none"
    restore_best: bool = True
    checkpoint: bool = True

    def __post_init__(self):
        self.check(
            ("epochs", 1 <= self.epochs <= 1000, "1 … 1000"),
            ("batch_size", 1 <= self.batch_size <= 4096, "1 … 4096"),
            ("optimizer", self.optimizer in OPTIMIZERS, ", ".join(OPTIMIZERS)),
            ("learning_rate", 0 < self.learning_rate <= 1, "0 … 1"),
            ("validation_share", 0 < self.validation_share < 0.5, "0.01 … 0.49"),
            ("test_share", 0 <= self.test_share < 0.5, "0 … 0.49"),
            ("early_stopping_patience", 0 <= self.early_stopping_patience <= 100, "0 … 100"),
            ("lr_schedule", self.lr_schedule in SCHEDULES, ", ".join(SCHEDULES)),
            ("class_weight", self.class_weight in CLASS_WEIGHTS, ", ".join(CLASS_WEIGHTS)),
        )


MIN_PAIR_BUCKETS, MAX_PAIR_BUCKETS = 1024, 65536


def pair_buckets(token_lists, min_count: int = 2) -> int:
    """Rows of the token-pair table for this training data: twice the number of distinct
    neighbouring pairs seen at least ``min_count`` times (so few frequent pairs share a row),
    between 1,024 and 65,536.

    >>> pair_buckets([["a", "b", "c"], ["a", "b"]])
    1024
    """
    counts: Counter = Counter()
    for tokens in token_lists:
        counts.update(zip(tokens, tokens[1:]))
    kept = sum(1 for n in counts.values() if n >= min_count)
    return int(min(MAX_PAIR_BUCKETS, max(MIN_PAIR_BUCKETS, 2 * kept)))


