"""What a run needs before it starts: memory for its settings, and settings that can work at all.

Both the Train page (through :func:`core.training.jobs.start_training`) and :func:`core.training.train.train` ask
:func:`check_run`, so a run that cannot work is refused with a message before a worker starts,
and the same rule holds on the command line.
"""

from __future__ import annotations

from core.base.config import MAX_PAIR_BUCKETS, ModelConfig, TrainConfig
from core.base.deployment import value
from core.base.errors import UserError

# What TensorFlow and the app hold before any model (measured: ~0.8 GB RSS after import).
RUNTIME_BYTES = 800 * 2**20
# Refuse settings whose estimate is more than this share of the memory free now.
MEMORY_SHARE = 0.8


def estimate_memory(vocab_size: int, classes: int, model: ModelConfig, train: TrainConfig, length: int,
                    rows: int, pair_table: int = 0) -> dict:
    """Bytes a training run needs, roughly, before it starts.

    Weights count four times (weights, gradients, Adam's two moments); activations kept for the
    backward pass are batch × length × (embedding + per recurrent layer and direction units ×
    (gates + 2)) floats, twice (forward and backward); the padded training ids once; plus the
    runtime. With ``model.token_pairs`` the pair table (``pair_table`` rows; the largest possible
    when not yet known) counts with the embedding. Returns ``{"weights", "activations", "data",
    "runtime", "total"}`` in bytes.

    Examples
    --------
    >>> m = estimate_memory(20_000, 2, ModelConfig(), TrainConfig(batch_size=64), 200, 10_000)
    >>> round(m["weights"] / 2**20), round(m["activations"] / 2**20), m["total"] > m["runtime"]
    (41, 88, True)
    """
    gates = 4 if model.rnn == "lstm" else 3
    directions = 2 if model.bidirectional else 1
    if model.token_pairs:  # the pair table's size comes from the data; before it is known, the largest
        vocab_size += pair_table or MAX_PAIR_BUCKETS
    params = vocab_size * model.embedding_dim
    width = model.embedding_dim
    if model.conv_filters:
        params += model.conv_kernel * width * model.conv_filters
        width = model.conv_filters
    per_step = width
    for _ in range(model.layers):
        params += directions * gates * model.lstm_units * (width + model.lstm_units + 1)
        width = directions * model.lstm_units
        per_step += directions * model.lstm_units * (gates + 2)
    if model.dense_units:
        params += width * model.dense_units
        width = model.dense_units
    params += width * classes
    out = {"weights": params * 4 * 4, "activations": train.batch_size * length * per_step * 4 * 2,
           "data": rows * length * 4, "runtime": RUNTIME_BYTES}
    out["total"] = sum(out.values())
    return out


def available_memory() -> int | None:
    """Bytes of memory free for a new run: ``STUDIO_MEMORY_LIMIT_MB`` when set (an
    administrator's cap), else what the system has available (psutil, so the same on Linux,
    macOS and Windows); ``None`` when neither can be told."""
    limit = value("STUDIO_MEMORY_LIMIT_MB")
    if limit:
        return int(limit * 2**20)
    try:
        # lazy: psutil is read only when memory is measured
        import psutil

        return int(psutil.virtual_memory().available)
    except (ImportError, OSError, RuntimeError):
        return None


def check_memory(estimate: dict, available: int | None = None) -> None:
    """Refuse settings that would not fit, with a suggestion of what to lower.

    Raises
    ------
    UserError
        ``err.memory_weights``, ``err.memory_activations`` or ``err.memory_data`` (the biggest
        part names what to lower) when ``estimate["total"]`` is more than 80 % of the memory
        available.
    """
    available = available_memory() if available is None else available
    if available is None or estimate["total"] <= MEMORY_SHARE * available:
        return
    biggest = max(("weights", "activations", "data"), key=lambda part: estimate[part])
    raise UserError(f"err.memory_{biggest}", need=f"{estimate['total'] / 2**30:.1f}",
                    free=f"{available / 2**30:.1f}")


def check_run(rows: int, classes: int, model: ModelConfig, train: TrainConfig, length: int, vocabulary: int,
              pair_table: int = 0, kind: str = "keras", available: int | None = None) -> None:
    """Refuse a run that cannot work, before any training: a batch larger than the training
    part of ``rows`` texts, or (for the network, ``kind="keras"``) settings whose memory
    estimate (:func:`estimate_memory`) does not fit (:func:`check_memory`). ``vocabulary`` is
    the vocabulary size, or its cap (``PreprocessConfig.max_vocab``) before it is known.

    Raises
    ------
    UserError
        ``err.batch_too_large`` or one of ``err.memory_*``.

    Examples
    --------
    >>> check_run(100, 2, ModelConfig(), TrainConfig(batch_size=128), 50, 1000)
    Traceback (most recent call last):
    ...
    core.base.errors.UserError: Batch size 128 is larger than the training part of the data (100 rows in all). Choose a smaller batch size.
    """
    if kind == "keras":
        check_batch(rows, train)
        check_memory(estimate_memory(vocabulary, classes, model, train, length, rows, pair_table), available)


def check_batch(rows: int, train: TrainConfig) -> None:
    """Refuse a batch larger than the training part of ``rows`` texts (``err.batch_too_large``)."""
    if train.batch_size > rows * (1 - train.validation_share - train.test_share):
        raise UserError("err.batch_too_large", batch=train.batch_size, n=rows)
