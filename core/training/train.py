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
from core.models.meta import AutoInfo, BatchFallback, Candidate, DataInfo, RunMetrics, VectorsInfo
from core.models.tfidf import TfidfModel, describe
from core.text import PreprocessConfig, Vocabulary, default_stop_words, suggest_length, tokenize
from core.training.batching import Split, class_weights, split_dataset, token_dataset
from core.training.linear import LINEAR, REFIT, choose, fit_all, fit_linear, kept, linear_settings, log_loss, refitted
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

    def on_model_ready(self, candidate: str, val_accuracy: float, make_bundle, test_texts, test_labels) -> None:
        """Automatic, before the network trains: a usable model — first TF-IDF + logistic
        regression (seconds), then the best linear model once all are fitted, if it is another.
        ``make_bundle()`` returns it as a complete bundle (fitted on the training part, scored on
        ``test_texts``/``test_labels``), e.g. to store so that it can be used at once; the run's
        final model may replace it later."""


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
    return DataInfo(dataset.text_column, tuple(dataset.text_columns), dataset.label_column, len(dataset),
                    len(split.train), len(split.validation), len(split.test)).to_json()


def _linear_bundle(model: TfidfModel, c: float | None, preprocess: PreprocessConfig, labels, settings: dict) -> Bundle:
    """A linear model as a bundle: ``settings`` gives its ``train`` and ``data`` parts."""
    return Bundle(model=model, preprocess=replace(preprocess, max_length=None), vocabulary=Vocabulary(model.terms),
                  labels=labels, settings={"kind": "tfidf", "model": linear_settings(model, c), "train": settings["train"],
                                           "data": settings["data"], "device": {"kind": "CPU", "name": "CPU"}})


def _fitted_on(fits: dict) -> dict:
    """What each linear model was fitted on: the refitted one (:func:`refitted`) on the training
    and validation parts, the others on the training part."""
    return {name: "train+validation" if fit.full is not None else "train" for name, fit in fits.items()}


def _scored_candidates(names, bundle_of, val: dict, seconds: dict, test_texts, test_labels, labels,
                       epochs: int | None = None, weight: float | None = None,
                       fitted_on: dict | None = None) -> tuple[list, dict]:
    """Each candidate's row (:class:`core.models.meta.Candidate`) and test scores by name;
    ``fitted_on``: :func:`_fitted_on` of the linear models."""
    rows, test_scores = [], {}
    for name in names:
        scores = None
        if test_texts:
            scores = test_scores[name] = classification_metrics(test_labels, bundle_of(name).predict(test_texts), labels)
        rows.append(Candidate(
            name, val_accuracy=round(val[name], 4), train_seconds=round(seconds[name], 2),
            epochs=None if name in LINEAR else epochs, weight=weight if name == "blend" else None,
            test_accuracy=round(scores.accuracy, 4) if scores else None,
            macro_f1=round(scores.macro_f1, 4) if scores else None, fitted_on=(fitted_on or {}).get(name)))
    return rows, test_scores


def _record(bundle: Bundle, auto: AutoInfo, run: RunMetrics, candidates, test=None) -> Bundle:
    """Write what a run tried and kept into ``bundle``: ``settings["auto"]``, ``metrics.json``'s
    run figures, every candidate's row and, when there are test texts, the kept model's test
    scores (a linear run, Automatic and Automatic's early model alike)."""
    bundle.settings["auto"] = auto.to_json()
    bundle.metrics = {**run.to_json(), "candidates": [row.to_json() for row in candidates]}
    if test is not None:
        bundle.metrics["test"] = test.to_json()
    return bundle


def train_tfidf(dataset: DataSet, preprocess: PreprocessConfig, train_config: TrainConfig = TrainConfig(),
                callback: TrainingCallback | None = None) -> TrainResult:
    """The linear models as the model (a run of kind ``"tfidf"``): TF-IDF + logistic regression,
    NB-weighted logistic regression and a linear SVM on word and character n-grams
    (:mod:`core.training.linear`), on the same split and tokens an LSTM with ``train_config``'s
    seed and shares would use; the most accurate on validation is kept (a tie keeps the simpler),
    fitted again on the training and validation parts. Seconds, on the CPU, and no TensorFlow; the
    bundle works everywhere an LSTM bundle does except the SavedModel export. ``metrics["candidates"]``
    and ``settings["auto"]`` say what was tried and kept, as for Automatic."""
    callback = callback or TrainingCallback()
    split, label_names, y, preprocess, token_lists = _prepare(dataset, preprocess, train_config)
    callback.on_train_begin({"train": len(split.train), "validation": len(split.validation), "test": len(split.test),
                             "steps": 1, "epochs": 1, "device": {"kind": "CPU", "name": "CPU"},
                             "vocabulary_size": 0, "max_length": 0})
    classes = len(label_names)
    counts: dict = {}
    fits = fit_all(token_lists, y, split, classes, preprocess.tokenizer, counts)
    chosen, val = choose({name: fit.val_probabilities for name, fit in fits.items()}, y[split.validation])
    fits[chosen] = refitted(fits[chosen], token_lists, y, split, classes, preprocess.tokenizer, counts)
    models, seconds = {}, {}
    for name, fit in fits.items():
        models[name], seconds[name] = kept(fit)
    settings = {"train": train_config.to_dict(), "data": _data_settings(dataset, split)}

    def bundle_of(name: str) -> Bundle:
        return _linear_bundle(models[name], fits[name].c, preprocess, label_names, settings)

    callback.on_batch_end(1, 1, 1)
    callback.on_epoch_end(1, {"val_accuracy": val[chosen]})
    test_texts = [dataset.texts[i] for i in split.test]
    test_labels = [dataset.labels[i] for i in split.test]
    rows, test_scores = _scored_candidates(LINEAR, bundle_of, val, seconds, test_texts, test_labels, label_names,
                                           fitted_on=_fitted_on(fits))
    total = sum(seconds.values())
    bundle = _record(bundle_of(chosen), AutoInfo(chosen=chosen, candidates=tuple(LINEAR),
                                                 tfidf_fitted_on="train+validation" if REFIT and len(split.validation)
                                                 else "train"),
                     RunMetrics(val[chosen], 1, 1, round(total, 2)), rows, test_scores.get(chosen))
    return TrainResult(bundle, test_texts, test_labels, total, False, {name: bundle_of(name) for name in LINEAR})


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
    prepared=None,
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
                                 unlabelled_tokens, prepared)
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
                unlabelled_tokens=None, prepared=None) -> TrainResult:
    # lazy: Keras loads TensorFlow (~5 s): only the network path pays for it
    import keras

    callback = callback or TrainingCallback()
    check_batch(len(dataset), train_config)  # before seconds of tokenizing; the memory below, once it is known
    keras.utils.set_random_seed(train_config.seed)
    # Automatic hands on the split and tokens its linear models used (the texts are read once).
    split, label_names, y, preprocess, token_lists = prepared or _prepare(dataset, preprocess, train_config)
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
        bundle.metrics = RunMetrics(history[-1].get("val_accuracy"), epoch, epoch, interrupted=True,
                                    history={key: [row.get(key) for row in history] for key in history[-1]}).to_json()
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
    bundle.metrics = RunMetrics(val_accuracy, len(history.get("loss", [])), best_epoch + 1, round(train_seconds, 2),
                                progress.user_stopped, history).to_json()
    if test_texts:
        bundle.metrics["test"] = classification_metrics(test_labels, bundle.predict(test_texts), label_names).to_json()
    if train_config.baseline:
        # The best linear model on the same rows and tokens (fitted on the training part, chosen
        # on validation, as the network), measured on the held-out part (test, else validation).
        held_out = split.test if len(split.test) else split.validation
        fits = fit_all(token_lists, y, split, len(label_names), preprocess.tokenizer)
        best, _ = choose({name: fit.val_probabilities for name, fit in fits.items()}, y[split.validation])
        model = fits[best].model
        predicted = [label_names[i] for i in model.predict_proba([token_lists[i] for i in held_out]).argmax(axis=1)]
        scores = classification_metrics([dataset.labels[i] for i in held_out], predicted, label_names)
        bundle.metrics["baseline"] = as_baseline(scores, fits[best].seconds, model.analyzer,
                                                 on="test" if len(split.test) else "validation",
                                                 name=describe(model), method=model.method).to_json()
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
CANDIDATES = (*LINEAR, "network", "blend")


def blend_weight(network_val, linear_val, y_val) -> float:
    """The blend's weight on the network: the one of :data:`BLEND_WEIGHTS` with the lowest
    validation log-loss (smoother than accuracy on a few hundred texts, so the weight follows the
    two models' confidence rather than a handful of texts; a tie goes to the middle)."""
    y_val = np.asarray(y_val)
    losses = {weight: log_loss(blend(network_val, linear_val, weight), y_val) for weight in BLEND_WEIGHTS}
    return min(BLEND_WEIGHTS, key=lambda w: (losses[w], abs(w - 0.5)))


def choose_blend(network_val, tfidf_val, y_val) -> dict:
    """The network, a linear model and their blend scored on validation: ``{"chosen", "weight",
    "val": {candidate: accuracy}}`` (:func:`blend_weight`, :func:`choose`).

    Examples
    --------
    >>> y = np.array([0, 1, 1, 0])
    >>> net = np.array([[.9, .1], [.4, .6], [.55, .45], [.8, .2]])   # wrong on the third
    >>> tf = np.array([[.6, .4], [.3, .7], [.2, .8], [.45, .55]])    # wrong on the fourth
    >>> result = choose_blend(net, tf, y)
    >>> result["chosen"], result["weight"], result["val"]    # the blend: one text more, a tie
    ('tfidf', 0.8, {'tfidf': 0.75, 'network': 0.75, 'blend': 1.0})
    >>> choose_blend(np.vstack([net, net]), np.vstack([tf, tf]), np.concatenate([y, y]))["chosen"]
    'blend'
    """
    weight = blend_weight(network_val, tfidf_val, y_val)
    chosen, val = choose({"tfidf": tfidf_val, "network": network_val,
                          "blend": blend(network_val, tfidf_val, weight)}, y_val)
    return {"chosen": chosen, "weight": weight, "val": val}


class _ReadyModels:
    """Automatic's early models (:meth:`TrainingCallback.on_model_ready`): the best linear model
    fitted so far, offered to the callback whenever it changes; remembers the last one offered
    and the seconds since the run started when it was first ready."""

    def __init__(self, callback, dataset, split, y_val, preprocess, labels, train_config, started: float):
        self.callback, self.labels, self.started, self.y_val = callback, labels, started, y_val
        self.test_texts = [dataset.texts[i] for i in split.test]
        self.test_labels = [dataset.labels[i] for i in split.test]
        self.preprocess = preprocess
        self.settings = {"train": train_config.to_dict(), "data": _data_settings(dataset, split)}
        self.candidate: str | None = None
        self.seconds: float | None = None

    def offer(self, fits: dict) -> None:
        best, val = choose({name: fit.val_probabilities for name, fit in fits.items()}, self.y_val)
        if best == self.candidate:
            return
        self.candidate = best
        if self.seconds is None:
            self.seconds = round(time.perf_counter() - self.started, 2)

        def make() -> Bundle:
            fit = fits[best]
            bundle = _linear_bundle(fit.model, fit.c, self.preprocess, self.labels, self.settings)
            rows = [Candidate(name, val_accuracy=round(val[name], 4), train_seconds=round(fits[name].seconds, 2))
                    for name in fits]
            test = classification_metrics(self.test_labels, bundle.predict(self.test_texts), self.labels) \
                if self.test_texts else None
            return _record(bundle, AutoInfo(chosen=best, candidates=tuple(fits), tfidf_fitted_on="train"),
                           RunMetrics(val[best], 1, 1, round(fit.seconds, 2)), rows, test)

        self.callback.on_model_ready(best, val[best], make, self.test_texts, self.test_labels)


# Long on purpose: Automatic's steps in order (the linear models, the network on the same rows,
# the blend's weight, the choice, the refits, every candidate scored), sharing one split and tokens.
def train_auto(dataset: DataSet, preprocess: PreprocessConfig, model_config: ModelConfig = ModelConfig(),
               train_config: TrainConfig = TrainConfig(), callback: TrainingCallback | None = None,
               vectors=None, unlabelled_tokens=None, network_inputs=None) -> TrainResult:
    """Automatic: the linear models (TF-IDF + LR, NB-LR, an SVM on word and character n-grams),
    the network (from ``vectors`` when given) and the blend of the network with the best linear
    model, all on one split and the same tokens; whichever is most accurate on the validation split
    is kept (:func:`choose`; a tie keeps the simpler) — as one bundle: a linear (``"tfidf"``), a
    network or a ``"blend"`` bundle, each predicted, explained and stored like any other.

    The choices (each linear model's C and temperature, the blend's weight, the kept candidate)
    are made with the linear models fitted on the training part; the best linear model — the only
    one that can be kept or blended — is then fitted again on the training and validation parts
    together (it has no epoch to pick on them), and that is what the kept bundle and its test
    scores use (the other linear candidates are scored as fitted on the training part: each
    row's ``fitted_on``).

    Anytime: TF-IDF + LR, then the best linear model, are offered to ``callback.on_model_ready``
    before the network trains (the app stores the first at once and the final model replaces it);
    ``network_inputs()``, when given, returns ``(vectors, unlabelled_tokens)`` and is called only
    then, so learning word vectors does not hold the linear models back.

    ``bundle.settings["auto"]`` says what was kept and the blend's weight;
    ``bundle.metrics["candidates"]`` scores each candidate on validation and on the test split
    (:class:`core.models.meta.Candidate`), for the Evaluate page's side-by-side; the baseline
    (``metrics["baseline"]``) is the best linear model.
    """
    callback = callback or TrainingCallback()
    started = time.perf_counter()
    prepared = _prepare(dataset, preprocess, replace(train_config, baseline=False))
    split, label_names, y, preprocess, token_lists = prepared
    classes, y_val = len(label_names), y[split.validation]
    # Anytime: TF-IDF + LR first (one fit, seconds) is a usable model at once; the other linear
    # models follow, and the best of them replaces it when it is another. Then the network.
    ready = _ReadyModels(callback, dataset, split, y_val, preprocess, label_names, train_config, started)
    linear: dict = {}
    counts: dict = {}
    for name in LINEAR:
        linear[name] = fit_linear(name, token_lists, y, split, classes, preprocess.tokenizer, counts=counts)
        if name == "tfidf":
            ready.offer(linear)
    best_linear, _ = choose({name: fit.val_probabilities for name, fit in linear.items()}, y_val)
    ready.offer(linear)
    # The only linear model Automatic can keep or blend is the best one (a linear model kept over
    # the network and the blend is the one choose() keeps among the linear models): refit it alone.
    linear[best_linear] = refitted(linear[best_linear], token_lists, y, split, classes, preprocess.tokenizer, counts)
    counts.clear()   # the term counts are not needed while the network trains: their memory goes back
    if network_inputs is not None:   # word vectors, learned or read only now: the linear models did not wait
        vectors, unlabelled_tokens = network_inputs()
    result = train(dataset, preprocess, model_config, replace(train_config, baseline=False), callback, vectors,
                   unlabelled_tokens, prepared=prepared)
    network = result.bundle
    network_val = network.predict_token_lists([token_lists[i] for i in split.validation])
    partner = linear[best_linear]
    weight = blend_weight(network_val, partner.val_probabilities, y_val)
    chosen, val = choose({**{name: fit.val_probabilities for name, fit in linear.items()}, "network": network_val,
                          "blend": blend(network_val, partner.val_probabilities, weight)}, y_val)
    models, seconds = {}, {"network": result.train_seconds}
    for name, fit in linear.items():
        models[name], seconds[name] = kept(fit)
    seconds["blend"] = seconds["network"] + seconds[best_linear]
    blend_settings = {"weight": weight, "partner": best_linear, **linear_settings(models[best_linear], partner.c)}

    def bundle_of(name: str) -> Bundle:
        if name == "network":
            return network
        if name in LINEAR:
            return _linear_bundle(models[name], linear[name].c, preprocess, label_names, network.settings)
        return Bundle(model=network.model, preprocess=network.preprocess, vocabulary=network.vocabulary,
                      labels=label_names, settings={**network.settings, "kind": "blend", "blend": blend_settings},
                      tfidf=models[best_linear])

    candidates, test_scores = _scored_candidates(CANDIDATES, bundle_of, val, seconds, result.test_texts,
                                                 result.test_labels, label_names,
                                                 epochs=int(network.metrics.get("epochs") or 0), weight=weight,
                                                 fitted_on=_fitted_on(linear))
    bundle = bundle_of(chosen)
    auto = AutoInfo(chosen=chosen, weight=weight, candidates=CANDIDATES,
                    tfidf_fitted_on="train+validation" if REFIT and len(split.validation) else "train",
                    vectors=network.info.vectors,   # what the network started from, even when a linear model was kept
                    ready=ready.candidate, ready_seconds=ready.seconds,
                    ready_val_accuracy=round(val[ready.candidate], 4) if ready.candidate else None)
    bundle.settings = {**bundle.settings, "train": train_config.to_dict()}
    run = replace(RunMetrics.from_json(network.metrics), val_accuracy=val[chosen], train_seconds=round(seconds[chosen], 2))
    if chosen in LINEAR:   # a linear model has no epochs
        run = replace(run, epochs=1, best_epoch=1, history={})
    _record(bundle, auto, run, candidates, test_scores.get(chosen))
    if train_config.baseline and best_linear in test_scores:
        model = models[best_linear]
        bundle.metrics["baseline"] = as_baseline(test_scores[best_linear], seconds[best_linear], model.analyzer,
                                                 name=describe(model), method=model.method).to_json()
    return TrainResult(bundle, result.test_texts, result.test_labels, seconds[chosen], result.stopped_early,
                       {name: bundle if name == chosen else bundle_of(name) for name in CANDIDATES})
