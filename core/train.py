"""Training: split the data, build the vocabulary and the model, fit it, evaluate it.

``train`` reports progress through a :class:`TrainingCallback` (empty hooks, like Ludwig's),
so the web app, the CLI and tests all watch the same run without ``core`` knowing any UI.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from core.bundle import Bundle
from core.data import DataSet
from core.config import JsonConfig
from core.errors import UserError
from core.evaluate import classification_metrics
from core.model import MAX_PAIR_BUCKETS, ModelConfig, build_model, pair_buckets
from core.text import PreprocessConfig, Vocabulary, default_stop_words, suggest_length, tokenize

OPTIMIZERS = ("adam", "sgd", "rmsprop")
SCHEDULES = ("none", "plateau")
CLASS_WEIGHTS = ("none", "balanced")
# Examples are sorted by length inside windows of this many batches, so each batch is padded
# only to its own longest text (little wasted LSTM work) while batches stay well mixed.
BUCKET_WINDOW_BATCHES = 32


@dataclass(frozen=True)
class TrainConfig(JsonConfig):
    """Fitting settings. Round-trips through JSON with ``to_dict``/``from_dict``.

    Attributes
    ----------
    epochs : int
        Passes over the training data (early stopping may end sooner).
    batch_size : int
        Examples per weight update.
    optimizer : {"adam", "sgd"}
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
        run cut short by a server crash still leaves a usable model (see ``core.jobs.recover``).
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



IMBALANCE_FOR_WEIGHTS = 5


def suggest_class_weight(labels) -> str:
    """``"balanced"`` when the largest class has at least 5× the examples of the smallest,
    else ``"none"``: what the Train page and the presets pick by default."""
    from collections import Counter

    counts = Counter(labels)
    if len(counts) < 2:
        return "none"
    return "balanced" if max(counts.values()) >= IMBALANCE_FOR_WEIGHTS * min(counts.values()) else "none"


def class_weights(y, classes: int) -> dict[int, float]:
    """Balanced class weights n / (classes × count) over the training labels ``y``.

    Examples
    --------
    >>> class_weights(np.array([0, 0, 0, 1]), 2)
    {0: 0.6667, 1: 2.0}
    """
    counts = np.bincount(y, minlength=classes)
    return {i: round(float(len(y) / (classes * count)), 4) if count else 1.0 for i, count in enumerate(counts)}


def configure_devices() -> dict:
    """Set up TensorFlow for the devices there are (call before any model is built):
    GPU memory growth (so several sessions can share a card), mixed precision on a GPU, and a
    distribution strategy that uses every GPU (MirroredStrategy for more than one; the
    default strategy for one GPU or the CPU). Returns ``{"strategy", "mixed_precision", "gpus"}``."""
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised in this process: leave it as it is
            pass
    if gpus:
        keras.mixed_precision.set_global_policy("mixed_float16")
    strategy = tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()
    return {"strategy": strategy, "mixed_precision": bool(gpus), "gpus": len(gpus)}


class TrainingCallback:
    """Progress hooks for a training run; override the ones you need.

    ``should_stop`` is polled after every batch: return True to end training early (the best
    weights so far are kept).
    """

    def on_train_begin(self, info: dict) -> None:
        """``info``: examples per split, steps per epoch, epochs, device."""

    def on_batch_end(self, epoch: int, step: int, steps: int) -> None:
        """After each batch; ``epoch`` counts from 1."""

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        """After each epoch with ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``."""

    def should_stop(self) -> bool:
        return False

    def on_best_epoch(self, epoch: int, make_bundle) -> None:
        """After an epoch that improved the validation loss (when ``TrainConfig.checkpoint``):
        ``make_bundle()`` returns a :class:`~core.bundle.Bundle` of the weights now, e.g. to save
        as a checkpoint."""


# -- memory --------------------------------------------------------------------------------------

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
    administrator's cap), else the system's available memory (Linux ``MemAvailable``)."""
    import os

    limit = os.environ.get("STUDIO_MEMORY_LIMIT_MB")
    if limit:
        return int(float(limit) * 2**20)
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
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


@dataclass
class Split:
    """Indices of the training, validation and test examples."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def split_dataset(labels, validation_share: float, test_share: float, seed: int) -> Split:
    """Stratified, seeded train/validation/test split.

    Classes too small to appear in every part go to training (and the split is stratified
    on the rest), so a rare class never makes the split fail.

    Raises
    ------
    UserError
        If the data is too small to hold out validation (and test) examples.
    """
    from sklearn.model_selection import train_test_split

    labels = np.asarray(labels)
    indices = np.arange(len(labels))
    parts = 2 + (test_share > 0)
    if len(labels) < 10 * parts:
        raise UserError("err.too_few_rows", n=len(labels), minimum=10 * parts)
    values, counts = np.unique(labels, return_counts=True)
    rare = set(values[counts < parts + 1])
    common = np.array([i for i in indices if labels[i] not in rare])
    forced_train = np.array([i for i in indices if labels[i] in rare], dtype=int)

    def cut(pool, share):
        strata = labels[pool]
        stratify = strata if len(np.unique(strata)) > 1 and share * len(pool) >= len(np.unique(strata)) else None
        return train_test_split(pool, test_size=share, random_state=seed, stratify=stratify)

    if test_share > 0:
        rest, test = cut(common, test_share)
    else:
        rest, test = common, np.array([], dtype=int)
    train, validation = cut(rest, validation_share / (1 - test_share))
    return Split(np.sort(np.concatenate([train, forced_train])), np.sort(validation), np.sort(test))


def device_info() -> dict:
    """The device TensorFlow trains on: ``{"kind": "GPU", "name": ...}`` or ``{"kind": "CPU", ...}``."""
    import os

    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return {"kind": "GPU", "name": details.get("device_name", gpus[0].name), "count": len(gpus)}
    return {"kind": "CPU", "name": "CPU", "cores": os.cpu_count() or 1}


def _batch_rows(lengths, batch_size: int, rng: np.random.Generator | None, replicas: int = 1) -> list:
    """Length-bucketed batches (arrays of row numbers). With ``rng`` the order is shuffled.

    With several devices (``replicas``) the first batch splits evenly across them: Keras builds a
    distributed model from the first batch by averaging it across the devices, which fails when
    their parts differ in size (later uneven batches are fine). A batch whose size divides is
    moved to the front, or else the largest batch, without its remainder rows, which follow it
    as a batch of their own. The number of batches does not depend on ``rng``.

    Examples
    --------
    >>> [len(rows) for rows in _batch_rows([5] * 251, 256, None, replicas=2)]
    [250, 1]
    """
    order = rng.permutation(len(lengths)) if rng is not None else np.arange(len(lengths))
    batches = []
    for window in _windows(len(order), batch_size):
        chunk = order[window.start : window.stop]
        chunk = chunk[np.argsort([lengths[i] for i in chunk], kind="stable")]
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    if replicas > 1 and batches and len(batches[0]) % replicas:
        even = next((i for i, rows in enumerate(batches) if len(rows) % replicas == 0), None)
        if even is not None:
            batches[0], batches[even] = batches[even], batches[0]
        else:  # none divides: the largest goes first, its remainder rows after it
            rows = batches.pop(max(range(len(batches)), key=lambda i: len(batches[i])))
            cut = len(rows) // replicas * replicas
            batches[:0] = [rows[:cut], rows[cut:]] if cut else [rows]
    return batches


def _dataset(sequences, labels, batch_size: int, seed: int | None, replicas: int = 1):
    """A tf.data pipeline of :func:`_batch_rows`' batches: right-padded ids, each batch padded
    only to its own longest text. With ``seed`` the batches are reshuffled every epoch."""
    import tensorflow as tf

    rng = np.random.default_rng(seed) if seed is not None else None
    lengths = [len(sequence) for sequence in sequences]

    def batches():
        for rows in _batch_rows(lengths, batch_size, rng, replicas):
            ids = np.zeros((len(rows), max(1, max(lengths[i] for i in rows))), dtype=np.int32)
            for r, i in enumerate(rows):
                ids[r, : lengths[i]] = sequences[i]
            yield ids, labels[rows]

    dataset = tf.data.Dataset.from_generator(
        batches, output_signature=(tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None], tf.int32)))
    # The batch count is known (shuffling changes which rows, not how many batches); telling
    # tf.data lets Keras plan epochs without running dry.
    steps = len(_batch_rows(lengths, batch_size, None, replicas))
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(steps))
    # Validation batches never change: build them once. Training batches are reshuffled each epoch.
    return (dataset.cache() if rng is None else dataset).prefetch(tf.data.AUTOTUNE)


def _windows(n: int, batch_size: int):
    window = batch_size * BUCKET_WINDOW_BATCHES
    return [range(start, min(n, start + window)) for start in range(0, n, window)]


@dataclass
class TrainResult:
    """What a run produced: the bundle, its held-out test rows and timing."""

    bundle: Bundle
    test_texts: list[str]
    test_labels: list[str]
    train_seconds: float
    stopped_early: bool


def _prepare(dataset: DataSet, preprocess: PreprocessConfig, train_config: TrainConfig):
    """What every kind of model needs first: the split, label ids and every text's tokens
    (with the stop-word list saved in the returned config)."""
    if len(set(dataset.labels)) < 2:
        raise UserError("err.only_one_class", label=dataset.labels[0] if dataset.labels else "", column=dataset.label_column)
    split = split_dataset(dataset.labels, train_config.validation_share, train_config.test_share, train_config.seed)
    label_names = dataset.label_names
    label_index = {label: i for i, label in enumerate(label_names)}
    y = np.array([label_index[label] for label in dataset.labels], dtype=np.int32)
    if preprocess.remove_stopwords and preprocess.stop_words is None:
        # Save the exact list used, so the bundle does not depend on the installed package.
        preprocess = PreprocessConfig.from_dict({**preprocess.to_dict(), "stop_words": default_stop_words()})
    return split, label_names, y, preprocess, [tokenize(text, preprocess) for text in dataset.texts]


def _data_settings(dataset: DataSet, split: Split) -> dict:
    return {"text_column": dataset.text_column, "text_columns": dataset.text_columns,
            "label_column": dataset.label_column, "rows": len(dataset), "train": len(split.train),
            "validation": len(split.validation), "test": len(split.test)}


def train_tfidf(dataset: DataSet, preprocess: PreprocessConfig, train_config: TrainConfig = TrainConfig(),
                callback: TrainingCallback | None = None) -> TrainResult:
    """Train TF-IDF + logistic regression (:class:`core.tfidf.TfidfModel`) as a model of its
    own, on the same split and tokens an LSTM with ``train_config``'s seed and shares would use.
    Seconds, on the CPU; the bundle works everywhere an LSTM bundle does except the SavedModel
    export."""
    from core.tfidf import analyzer_for, fit_seconds

    callback = callback or TrainingCallback()
    split, label_names, y, preprocess, token_lists = _prepare(dataset, preprocess, train_config)
    callback.on_train_begin({"train": len(split.train), "validation": len(split.validation), "test": len(split.test),
                             "steps": 1, "epochs": 1, "device": {"kind": "CPU", "name": "CPU"},
                             "vocabulary_size": 0, "max_length": 0})
    analyzer = analyzer_for(preprocess.tokenizer)
    model, seconds = fit_seconds([token_lists[i] for i in split.train], y[split.train], len(label_names), analyzer)
    preprocess = PreprocessConfig.from_dict({**preprocess.to_dict(), "max_length": None})
    bundle = Bundle(model=model, preprocess=preprocess, vocabulary=Vocabulary(model.terms), labels=label_names,
                    settings={"kind": "tfidf", "model": {"kind": "tfidf", "features": len(model.terms), "analyzer": analyzer},
                              "train": train_config.to_dict(), "data": _data_settings(dataset, split),
                              "device": {"kind": "CPU", "name": "CPU"}})
    val_probabilities = bundle.predict_token_lists([token_lists[i] for i in split.validation])
    val_accuracy = float(np.mean(val_probabilities.argmax(axis=1) == y[split.validation]))
    callback.on_batch_end(1, 1, 1)
    callback.on_epoch_end(1, {"val_accuracy": val_accuracy})
    test_texts = [dataset.texts[i] for i in split.test]
    test_labels = [dataset.labels[i] for i in split.test]
    bundle.metrics = {"val_accuracy": val_accuracy, "epochs": 1, "best_epoch": 1, "train_seconds": round(seconds, 2),
                      "stopped_by_user": False, "history": {}}
    if test_texts:
        bundle.metrics["test"] = classification_metrics(test_labels, bundle.predict(test_texts), label_names)
    return TrainResult(bundle, test_texts, test_labels, seconds, False)


# A device out of memory mid-run: start again with half the batch, down to this size.
MIN_FALLBACK_BATCH = 8


def train(
    dataset: DataSet,
    preprocess: PreprocessConfig,
    model_config: ModelConfig = ModelConfig(),
    train_config: TrainConfig = TrainConfig(),
    callback: TrainingCallback | None = None,
) -> TrainResult:
    """Train a classifier on ``dataset`` and evaluate it on a held-out test split.

    The vocabulary and the padding length come from the training part only. Validation loss
    picks the best epoch (early stopping restores its weights). The memory the settings need is
    estimated first (:func:`estimate_memory`) and settings that would not fit are refused. When
    the device still runs out of memory mid-run (TensorFlow's ``ResourceExhaustedError``, e.g. a
    GPU shared with other sessions), the run starts again with half the batch size, down to 8;
    ``bundle.settings["batch_fallback"]`` records it.

    Returns
    -------
    TrainResult
        ``bundle.metrics`` holds ``val_accuracy``, ``epochs`` run, ``history`` and ``test``
        (see :func:`core.evaluate.classification_metrics`).

    Raises
    ------
    UserError
        Settings that cannot work (batch larger than the data, not enough memory), or out of
        memory even at batch size 8.
    """
    import tensorflow as tf

    requested = train_config.batch_size
    while True:
        try:
            result = _train_once(dataset, preprocess, model_config, train_config, callback)
        except tf.errors.ResourceExhaustedError:
            import gc

            import keras

            keras.backend.clear_session()
            gc.collect()
            if train_config.batch_size // 2 < MIN_FALLBACK_BATCH:
                raise UserError("err.out_of_memory", batch=train_config.batch_size) from None
            train_config = TrainConfig.from_dict({**train_config.to_dict(), "batch_size": train_config.batch_size // 2})
            continue
        if train_config.batch_size != requested:
            result.bundle.settings["batch_fallback"] = {"requested": requested, "used": train_config.batch_size}
        return result


def _train_once(dataset, preprocess, model_config, train_config, callback) -> TrainResult:
    import keras

    callback = callback or TrainingCallback()
    if train_config.batch_size > len(dataset) * (1 - train_config.validation_share - train_config.test_share):
        raise UserError("err.batch_too_large", batch=train_config.batch_size, n=len(dataset))
    keras.utils.set_random_seed(train_config.seed)
    split, label_names, y, preprocess, token_lists = _prepare(dataset, preprocess, train_config)
    train_tokens = [token_lists[i] for i in split.train]
    vocabulary = Vocabulary.build(train_tokens, preprocess.max_vocab, preprocess.min_count)
    length = preprocess.max_length or suggest_length([len(tokens) for tokens in train_tokens])
    preprocess = PreprocessConfig.from_dict({**preprocess.to_dict(), "max_length": length})
    pair_table = pair_buckets(train_tokens, preprocess.min_count) if model_config.token_pairs else 0
    check_memory(estimate_memory(len(vocabulary), len(label_names), model_config, train_config, length,
                                 len(split.train), pair_table))
    sequences = [vocabulary.encode(tokens, length) for tokens in token_lists]

    def part(indices):
        return [sequences[i] for i in indices], y[indices]

    train_x, train_y = part(split.train)
    val_x, val_y = part(split.validation)
    devices = configure_devices()
    with devices["strategy"].scope():
        model = build_model(len(vocabulary), len(label_names), model_config, pair_table)
        # Clipping the gradient norm keeps recurrent training stable on long texts.
        rate = train_config.learning_rate
        optimizer = {"adam": lambda: keras.optimizers.Adam(rate, clipnorm=1.0),
                     "sgd": lambda: keras.optimizers.SGD(rate, momentum=0.9, clipnorm=1.0),
                     "rmsprop": lambda: keras.optimizers.RMSprop(rate, clipnorm=1.0)}[train_config.optimizer]()
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    replicas = devices["strategy"].num_replicas_in_sync
    train_data = _dataset(train_x, train_y, train_config.batch_size, train_config.seed, replicas)
    steps = int(train_data.cardinality())
    device = device_info()
    callback.on_train_begin({
        "train": len(split.train), "validation": len(split.validation), "test": len(split.test),
        "steps": steps, "epochs": train_config.epochs, "device": device,
        "vocabulary_size": len(vocabulary), "max_length": length,
    })
    settings = {
        "model": model_config.to_dict(),
        "train": train_config.to_dict(),
        "data": _data_settings(dataset, split),
        "device": {**device, "mixed_precision": devices["mixed_precision"]},
    }

    def checkpoint_bundle(epoch: int, history: list[dict]) -> Bundle:
        bundle = Bundle(model=model, preprocess=preprocess, vocabulary=vocabulary, labels=label_names,
                        settings={**settings, "checkpoint": {"epoch": epoch}})
        bundle.metrics = {"val_accuracy": history[-1].get("val_accuracy"), "epochs": epoch, "best_epoch": epoch,
                          "stopped_by_user": False, "interrupted": True,
                          "history": {key: [row.get(key) for row in history] for key in history[-1]}}
        return bundle

    progress = _KerasProgress(callback, steps, checkpoint_bundle if train_config.checkpoint else None)
    callbacks = [progress]
    if train_config.early_stopping_patience:
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=train_config.early_stopping_patience,
            restore_best_weights=train_config.restore_best))
    if train_config.lr_schedule == "plateau":
        callbacks.append(keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1,
                                                           min_lr=train_config.learning_rate / 32))
    weights = class_weights(train_y, len(label_names)) if train_config.class_weight == "balanced" else None
    started = time.perf_counter()
    fit = model.fit(
        train_data,
        validation_data=_dataset(val_x, val_y, 256, None, replicas),
        epochs=train_config.epochs,
        callbacks=callbacks,
        class_weight=weights,
        shuffle=False,  # the batches are already shuffled, seeded, by _dataset
        verbose=0,
    )
    if progress.user_stopped and progress.best_weights is not None and train_config.restore_best:
        model.set_weights(progress.best_weights)
    train_seconds = time.perf_counter() - started
    history = {key: [float(v) for v in values] for key, values in fit.history.items()}
    best_epoch = int(np.argmin(history["val_loss"])) if history.get("val_loss") else len(history.get("loss", [1])) - 1

    bundle = Bundle(model=model, preprocess=preprocess, vocabulary=vocabulary, labels=label_names, settings=settings)
    val_probabilities = bundle.predict_ids(val_x)
    val_accuracy = float(np.mean(val_probabilities.argmax(axis=1) == val_y))
    test_texts = [dataset.texts[i] for i in split.test]
    test_labels = [dataset.labels[i] for i in split.test]
    bundle.metrics = {
        "val_accuracy": val_accuracy,
        "epochs": len(history.get("loss", [])),
        "best_epoch": best_epoch + 1,
        "train_seconds": round(train_seconds, 2),
        "stopped_by_user": progress.user_stopped,
        "history": history,
    }
    if test_texts:
        bundle.metrics["test"] = classification_metrics(test_labels, bundle.predict(test_texts), label_names)
    if train_config.baseline:
        # The same rows, tokens and held-out part (test, else validation) as the LSTM.
        from core.baseline import tfidf_baseline
        from core.tfidf import analyzer_for

        held_out = split.test if len(split.test) else split.validation
        bundle.metrics["baseline"] = tfidf_baseline(
            train_tokens, [dataset.labels[i] for i in split.train], [token_lists[i] for i in held_out],
            [dataset.labels[i] for i in held_out], label_names, analyzer_for(preprocess.tokenizer))
        bundle.metrics["baseline"]["on"] = "test" if len(split.test) else "validation"
    return TrainResult(bundle, test_texts, test_labels, train_seconds, progress.user_stopped)


def _keras_callback_base():
    import keras

    return keras.callbacks.Callback


class _KerasProgress(_keras_callback_base()):
    """Adapts Keras's callback to :class:`TrainingCallback` and honours ``should_stop``."""

    def __init__(self, callback: TrainingCallback, steps: int, checkpoint_bundle=None):
        super().__init__()
        self.callback, self.steps, self.checkpoint_bundle = callback, steps, checkpoint_bundle
        self.history: list[dict] = []
        self.epoch = 0
        self.user_stopped = False
        self.best_loss = np.inf
        self.best_weights = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        self.callback.on_batch_end(self.epoch, batch + 1, self.steps)
        if self.callback.should_stop():
            self.user_stopped = True
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        logs = {key: float(value) for key, value in (logs or {}).items()}
        self.history.append(logs)
        improved = logs.get("val_loss", np.inf) < self.best_loss
        if improved:
            self.best_loss = logs["val_loss"]
            self.best_weights = self.model.get_weights()
        self.callback.on_epoch_end(epoch + 1, logs)
        if improved and self.checkpoint_bundle is not None:
            history = list(self.history)
            self.callback.on_best_epoch(epoch + 1, lambda: self.checkpoint_bundle(epoch + 1, history))
