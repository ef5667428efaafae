"""Training: split the data, build the vocabulary and the model, fit it, evaluate it.

``train`` reports progress through a :class:`TrainingCallback` (empty hooks, like Ludwig's),
so the web app, the CLI and tests all watch the same run without ``core`` knowing any UI.
The pieces it uses live beside it: the settings in :mod:`core.base.config` (no TensorFlow), what a
run needs before it starts in :mod:`core.training.memory`, and the split and the batches in
:mod:`core.training.batching`.
"""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from core.base.config import ModelConfig, TrainConfig, pair_buckets
from core.base.errors import UserError
from core.data.dataset import DataSet
from core.models.baseline import as_baseline
from core.models.bundle import Bundle, blend
from core.models.evaluate import classification_metrics
from core.models.meta import AutoInfo, BatchFallback, Candidate, VectorsInfo
from core.models.tfidf import analyzer_for, fit_seconds
from core.text import PreprocessConfig, Vocabulary, default_stop_words, suggest_length, tokenize
from core.training.batching import Split, class_weights, split_dataset, token_dataset
from core.training.memory import check_batch, check_memory, estimate_memory


def configure_devices() -> dict:
    """Set up TensorFlow for the devices there are (call before any model is built):
    GPU memory growth (so several sessions can share a card), mixed precision on a GPU, and a
    distribution strategy that uses every GPU (MirroredStrategy for more than one; the
    default strategy for one GPU or the CPU). Returns ``{"strategy", "mixed_precision", "gpus"}``."""
    # lazy: Keras loads TensorFlow (~5 s): only the network path pays for it
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
        ``make_bundle()`` returns a :class:`~core.models.bundle.Bundle` of the weights now, e.g. to save
        as a checkpoint."""


def device_info() -> dict:
    """The device TensorFlow trains on: ``{"kind": "GPU", "name": ...}`` or ``{"kind": "CPU", ...}``."""
    # lazy: TensorFlow takes ~5 s to load: only the network path pays for it
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return {"kind": "GPU", "name": details.get("device_name", gpus[0].name), "count": len(gpus)}
    return {"kind": "CPU", "name": "CPU", "cores": os.cpu_count() or 1}


@dataclass
class TrainResult:
    """What a run produced: the bundle, its held-out test rows and timing."""

    bundle: Bundle
    test_texts: list[str]
    test_labels: list[str]
    train_seconds: float
    stopped_early: bool
    candidates: dict | None = None     # Automatic: every candidate's bundle by name (for benchmarks)
    # The network's split, label ids and every text's tokens, so that Automatic fits TF-IDF on
    # the same rows without segmenting every text again.
    prepared: tuple | None = field(default=None, repr=False)


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
        preprocess = replace(preprocess, stop_words=default_stop_words())
    return split, label_names, y, preprocess, [tokenize(text, preprocess) for text in dataset.texts]


def _data_settings(dataset: DataSet, split: Split) -> dict:
    return {"text_column": dataset.text_column, "text_columns": dataset.text_columns,
            "label_column": dataset.label_column, "rows": len(dataset), "train": len(split.train),
            "validation": len(split.validation), "test": len(split.test)}


def train_tfidf(dataset: DataSet, preprocess: PreprocessConfig, train_config: TrainConfig = TrainConfig(),
                callback: TrainingCallback | None = None) -> TrainResult:
    """Train TF-IDF + logistic regression (:class:`core.models.tfidf.TfidfModel`) as a model of its
    own, on the same split and tokens an LSTM with ``train_config``'s seed and shares would use.
    Seconds, on the CPU; the bundle works everywhere an LSTM bundle does except the SavedModel
    export."""
    callback = callback or TrainingCallback()
    split, label_names, y, preprocess, token_lists = _prepare(dataset, preprocess, train_config)
    callback.on_train_begin({"train": len(split.train), "validation": len(split.validation), "test": len(split.test),
                             "steps": 1, "epochs": 1, "device": {"kind": "CPU", "name": "CPU"},
                             "vocabulary_size": 0, "max_length": 0})
    analyzer = analyzer_for(preprocess.tokenizer)
    model, seconds = fit_seconds([token_lists[i] for i in split.train], y[split.train], len(label_names), analyzer)
    preprocess = replace(preprocess, max_length=None)
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
        bundle.metrics["test"] = classification_metrics(test_labels, bundle.predict(test_texts), label_names).to_json()
    return TrainResult(bundle, test_texts, test_labels, seconds, False)


# A device out of memory mid-run: start again with half the batch, down to this size.
MIN_FALLBACK_BATCH = 8


def train(
    dataset: DataSet,
    preprocess: PreprocessConfig,
    model_config: ModelConfig = ModelConfig(),
    train_config: TrainConfig = TrainConfig(),
    callback: TrainingCallback | None = None,
    vectors=None,
    unlabelled_tokens=None,
) -> TrainResult:
    """Train a classifier on ``dataset`` and evaluate it on a held-out test split.

    The vocabulary and the padding length come from the training part only. Validation loss
    picks the best epoch (early stopping restores its weights). The memory the settings need is
    estimated first (:func:`core.training.memory.estimate_memory`) and settings that would not fit are refused. When
    the device still runs out of memory mid-run (TensorFlow's ``ResourceExhaustedError``, e.g. a
    GPU shared with other sessions), the run starts again with half the batch size, down to 8;
    ``bundle.settings["batch_fallback"]`` records it.

    Returns
    -------
    TrainResult
        ``bundle.metrics`` holds ``val_accuracy``, ``epochs`` run, ``history`` and ``test``
        (see :func:`core.models.evaluate.classification_metrics`).

    Raises
    ------
    UserError
        Settings that cannot work (batch larger than the data, not enough memory), or out of
        memory even at batch size 8.
    """
    # lazy: TensorFlow takes ~5 s to load: only the network path pays for it
    import tensorflow as tf

    requested = train_config.batch_size
    while True:
        try:
            result = _train_once(dataset, preprocess, model_config, train_config, callback, vectors,
                                 unlabelled_tokens)
        except tf.errors.ResourceExhaustedError:
            # lazy: Keras loads TensorFlow (~5 s): only the network path pays for it
            import keras

            keras.backend.clear_session()
            gc.collect()
            if train_config.batch_size // 2 < MIN_FALLBACK_BATCH:
                raise UserError("err.out_of_memory", batch=train_config.batch_size) from None
            train_config = replace(train_config, batch_size=train_config.batch_size // 2)
            continue
        if train_config.batch_size != requested:
            result.bundle.settings["batch_fallback"] = BatchFallback(requested, train_config.batch_size).to_json()
        return result


# Long on purpose: the run's steps in order (split, vocabulary, model, fit, best weights, scores);
# split up, each part would hand a dozen values to the next.
def _train_once(dataset, preprocess, model_config, train_config, callback, vectors=None,
                unlabelled_tokens=None) -> TrainResult:
    # lazy: Keras loads TensorFlow (~5 s): only the network path pays for it
    import keras

    callback = callback or TrainingCallback()
    check_batch(len(dataset), train_config)  # before seconds of tokenizing; the memory below, once it is known
    keras.utils.set_random_seed(train_config.seed)
    split, label_names, y, preprocess, token_lists = _prepare(dataset, preprocess, train_config)
    train_tokens = [token_lists[i] for i in split.train]
    # With word vectors the vocabulary also holds the words of the unlabelled texts: a test text's
    # word no label ever showed still has a meaning, learned from those texts.
    vocabulary = Vocabulary.build(train_tokens + list(unlabelled_tokens or []) if vectors is not None else train_tokens,
                                  preprocess.max_vocab, preprocess.min_count)
    if vectors is not None and model_config.embedding_dim != vectors.dim:
        model_config = replace(model_config, embedding_dim=vectors.dim)   # the embedding takes the vectors' size
    length = preprocess.max_length or suggest_length([len(tokens) for tokens in train_tokens])
    preprocess = replace(preprocess, max_length=length)
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
        from core.models.model import build_model  # Keras, here: a TF-IDF run never loads TensorFlow

        model = build_model(len(vocabulary), len(label_names), model_config, pair_table)
        if vectors is not None:
            model.get_layer("embedding").set_weights([vectors.embedding(vocabulary, train_config.seed)])
        # Clipping the gradient norm keeps recurrent training stable on long texts.
        rate = train_config.learning_rate
        optimizer = {"adam": lambda: keras.optimizers.Adam(rate, clipnorm=1.0),
                     "sgd": lambda: keras.optimizers.SGD(rate, momentum=0.9, clipnorm=1.0),
                     "rmsprop": lambda: keras.optimizers.RMSprop(rate, clipnorm=1.0)}[train_config.optimizer]()
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    replicas = devices["strategy"].num_replicas_in_sync
    train_data = token_dataset(train_x, train_y, train_config.batch_size, train_config.seed, replicas)
    steps = int(train_data.cardinality())
    device = device_info()
    callback.on_train_begin({
        "train": len(split.train), "validation": len(split.validation), "test": len(split.test),
        "steps": steps, "epochs": train_config.epochs, "device": device,
        "vocabulary_size": len(vocabulary), "max_length": length,
    })
    settings = {
        "model": model_config.to_dict(),
        **({"vectors": VectorsInfo(source=vectors.source, dim=vectors.dim, seconds=round(vectors.seconds, 1),
                                   coverage=round(vectors.coverage(vocabulary.tokens), 4)).to_json()}
           if vectors is not None else {}),
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

    progress = _keras_progress_class()(callback, steps, checkpoint_bundle if train_config.checkpoint else None)
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
        validation_data=token_dataset(val_x, val_y, 256, None, replicas),
        epochs=train_config.epochs,
        callbacks=callbacks,
        class_weight=weights,
        shuffle=False,  # the batches are already shuffled, seeded, by token_dataset
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
        bundle.metrics["test"] = classification_metrics(test_labels, bundle.predict(test_texts), label_names).to_json()
    if train_config.baseline:
        # The same rows, tokens and held-out part (test, else validation) as the LSTM.
        from core.models.baseline import tfidf_baseline
        from core.models.tfidf import analyzer_for

        held_out = split.test if len(split.test) else split.validation
        baseline = tfidf_baseline(
            train_tokens, [dataset.labels[i] for i in split.train], [token_lists[i] for i in held_out],
            [dataset.labels[i] for i in held_out], label_names, analyzer_for(preprocess.tokenizer))
        bundle.metrics["baseline"] = replace(baseline, on="test" if len(split.test) else "validation").to_json()
    return TrainResult(bundle, test_texts, test_labels, train_seconds, progress.user_stopped,
                       prepared=(split, y, token_lists))


@lru_cache(maxsize=1)
def _keras_progress_class():
    """:class:`_KerasProgress`'s class, made on first use: it derives from Keras's callback, and
    importing Keras (TensorFlow) when this module is imported made a TF-IDF run wait seconds
    for a library it never uses."""
    # lazy: Keras loads TensorFlow (~5 s): only the network path pays for it
    import keras

    class _KerasProgress(keras.callbacks.Callback):
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

    return _KerasProgress


# Automatic: the blend's weight on the network is picked on the validation split from these.
BLEND_WEIGHTS = tuple(round(float(w), 2) for w in np.linspace(0.05, 0.95, 19))
# A candidate is kept only when it is better on validation than a simpler one by more than this
# (fewer parts first: TF-IDF, then the network, then the blend).
AUTO_MARGIN = 0.0
CANDIDATES = ("tfidf", "network", "blend")
REFIT_TFIDF = True   # after choosing, TF-IDF is fitted again on training + validation texts


def _log_loss(probabilities, y) -> float:
    return float(-np.mean(np.log(np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1.0))))


def choose_blend(network_val, tfidf_val, y_val) -> dict:
    """The three candidates scored on the validation split: the network, TF-IDF and their
    blend, whose weight on the network is the one of :data:`BLEND_WEIGHTS` with the lowest
    validation log-loss (smoother than accuracy on a few hundred texts, so the weight follows the
    two models' confidence rather than a handful of texts). Returns ``{"chosen", "weight",
    "val": {candidate: accuracy}}``: the most accurate on validation; a tie goes to the simpler
    model (TF-IDF, then the network).

    Examples
    --------
    >>> y = np.array([0, 1, 1, 0])
    >>> net = np.array([[.9, .1], [.4, .6], [.55, .45], [.8, .2]])   # wrong on the third
    >>> tf = np.array([[.6, .4], [.3, .7], [.2, .8], [.45, .55]])    # wrong on the fourth
    >>> result = choose_blend(net, tf, y)
    >>> result["chosen"], result["weight"], result["val"]
    ('blend', 0.8, {'tfidf': 0.75, 'network': 0.75, 'blend': 1.0})
    """
    y_val = np.asarray(y_val)
    losses = {weight: _log_loss(blend(network_val, tfidf_val, weight), y_val) for weight in BLEND_WEIGHTS}
    weight = min(BLEND_WEIGHTS, key=lambda w: (losses[w], abs(w - 0.5)))
    probabilities = {"tfidf": tfidf_val, "network": network_val, "blend": blend(network_val, tfidf_val, weight)}
    val = {name: float(np.mean(p.argmax(axis=1) == y_val)) if len(y_val) else 0.0
           for name, p in probabilities.items()}
    chosen = CANDIDATES[0]
    for name in CANDIDATES[1:]:
        if val[name] > val[chosen] + AUTO_MARGIN:
            chosen = name
    return {"chosen": chosen, "weight": weight, "val": val}


# Long on purpose: Automatic's steps in order (network, TF-IDF on the same rows, the blend's
# weight, the choice, every candidate scored), sharing the network's split and tokens.
def train_auto(dataset: DataSet, preprocess: PreprocessConfig, model_config: ModelConfig = ModelConfig(),
               train_config: TrainConfig = TrainConfig(), callback: TrainingCallback | None = None,
               vectors=None, unlabelled_tokens=None) -> TrainResult:
    """Automatic: train the network (from ``vectors`` when given), TF-IDF + logistic regression
    on the same split and tokens, and their blend, and keep whichever is most accurate on the
    validation split (:func:`choose_blend`) — as one bundle: a network, a TF-IDF or a ``"blend"``
    bundle, each predicted, explained and stored like any other.

    The choice and the blend's weight are made with TF-IDF fitted on the training part; TF-IDF is
    then fitted again on the training and validation parts together (it has no epoch to pick on
    them), and that is the TF-IDF the kept bundle and the candidates' test scores use.

    ``bundle.settings["auto"]`` says what was kept and the blend's weight;
    ``bundle.metrics["candidates"]`` scores each candidate on validation and on the test split
    (``{"name", "val_accuracy", "test_accuracy", "macro_f1", "train_seconds"}``), for the
    Evaluate page's side-by-side.
    """
    result = train(dataset, preprocess, model_config, replace(train_config, baseline=False), callback, vectors,
                   unlabelled_tokens)
    network = result.bundle
    # The same split and tokens as the network.
    assert result.prepared is not None   # train() always hands its split and tokens on
    split, y, token_lists = result.prepared
    label_names = network.labels
    analyzer = analyzer_for(network.preprocess.tokenizer)
    tfidf, tfidf_seconds = fit_seconds([token_lists[i] for i in split.train], y[split.train], len(label_names), analyzer)
    val_tokens = [token_lists[i] for i in split.validation]
    choice = choose_blend(network.predict_token_lists(val_tokens), tfidf.predict_proba(val_tokens), y[split.validation])
    weight = choice["weight"]
    # Chosen: TF-IDF has no epoch to pick, so it is fitted again on the training and validation
    # texts together (10 % more examples; on waimai_10k +0.4 points for TF-IDF alone).
    if REFIT_TFIDF and len(split.validation):
        rows = np.concatenate([split.train, split.validation])
        tfidf, refit_seconds = fit_seconds([token_lists[i] for i in rows], y[rows], len(label_names), analyzer)
        tfidf_seconds += refit_seconds
    blend_settings = {"weight": weight, "features": len(tfidf.terms), "analyzer": analyzer}

    def bundle_of(name: str) -> Bundle:
        if name == "network":
            return network
        if name == "tfidf":
            return Bundle(model=tfidf, preprocess=replace(network.preprocess, max_length=None),
                          vocabulary=Vocabulary(tfidf.terms), labels=label_names,
                          settings={"kind": "tfidf", "model": {"kind": "tfidf", "features": len(tfidf.terms),
                                                               "analyzer": analyzer},
                                    "train": network.settings["train"], "data": network.settings["data"],
                                    "device": {"kind": "CPU", "name": "CPU"}})
        return Bundle(model=network.model, preprocess=network.preprocess, vocabulary=network.vocabulary,
                      labels=label_names, settings={**network.settings, "kind": "blend", "blend": blend_settings},
                      tfidf=tfidf)

    seconds = {"network": result.train_seconds, "tfidf": tfidf_seconds,
               "blend": result.train_seconds + tfidf_seconds}
    candidates, test_scores = [], {}
    for name in CANDIDATES:
        scores = None
        if result.test_texts:
            scores = classification_metrics(result.test_labels, bundle_of(name).predict(result.test_texts), label_names)
            test_scores[name] = scores
        candidates.append(Candidate(
            name, val_accuracy=round(choice["val"][name], 4), train_seconds=round(seconds[name], 2),
            epochs=None if name == "tfidf" else int(network.metrics.get("epochs") or 0),   # the blend's network's
            weight=weight if name == "blend" else None,
            test_accuracy=round(scores.accuracy, 4) if scores else None, macro_f1=round(scores.macro_f1, 4) if scores else None))
    chosen = choice["chosen"]
    bundle = bundle_of(chosen)
    auto = AutoInfo(chosen=chosen, weight=weight, candidates=CANDIDATES,
                    tfidf_fitted_on="train+validation" if REFIT_TFIDF and len(split.validation) else "train",
                    vectors=network.info.vectors)   # what the network started from, even when TF-IDF was kept
    bundle.settings = {**bundle.settings, "train": train_config.to_dict(), "auto": auto.to_json()}
    bundle.metrics = {**network.metrics, "val_accuracy": choice["val"][chosen],
                      "candidates": [row.to_json() for row in candidates], "train_seconds": round(seconds[chosen], 2)}
    if chosen == "tfidf":
        bundle.metrics.update(epochs=1, best_epoch=1, history={})
    if chosen in test_scores:
        bundle.metrics["test"] = test_scores[chosen].to_json()
    if train_config.baseline and "tfidf" in test_scores:
        bundle.metrics["baseline"] = as_baseline(test_scores["tfidf"], tfidf_seconds, analyzer).to_json()
    return TrainResult(bundle, result.test_texts, result.test_labels, seconds[chosen], result.stopped_early,
                       {name: bundle if name == chosen else bundle_of(name) for name in CANDIDATES})
