"""Model bundles: the Keras model plus everything needed to turn raw text into a label.

A bundle is a folder::

    model.keras         the Keras model (weights and architecture, no pickle), or
    tfidf.npz           a TF-IDF + logistic regression model (numbers only; its terms are the vocabulary)
    terms.json          a blend (Automatic) holds both files: the network's tokens in vocabulary.json,
                        TF-IDF's terms here; settings.json's ``blend.weight`` mixes their probabilities
    preprocess.json     PreprocessConfig (with the resolved padding length)
    vocabulary.json     the token list (id = position + 2)
    labels.json         class names in the model's output order
    settings.json       model and training settings
    metrics.json        validation and test metrics, training history

Loading a bundle and predicting gives exactly the probabilities the in-memory model gave:
both go through :meth:`Bundle.predict_proba`.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.base.errors import UserError
from core.base.files import check_replaceable, staged
from core.models.meta import FORMAT_VERSION, RunInfo
from core.models.tfidf import TfidfModel
from core.text import PreprocessConfig, Vocabulary, pad, tokenize

MODEL_FILE = "model.keras"
TFIDF_FILE = "tfidf.npz"          # a TF-IDF + logistic regression model (core.models.tfidf) instead
MODEL_FILES = (MODEL_FILE, TFIDF_FILE)
JSON_FILES = ("preprocess.json", "vocabulary.json", "labels.json", "settings.json", "metrics.json")
TERMS_FILE = "terms.json"         # a blend's TF-IDF terms (its vocabulary.json is the network's)
BUNDLE_FILES = (*MODEL_FILES, *JSON_FILES, TERMS_FILE, "README.md")   # what a bundle folder may hold
PREDICT_BATCH = 256
# One text on the CPU goes through an XLA-compiled forward pass, padded to a multiple of this
# many tokens so that at most max_length / SINGLE_WIDTH_STEP variants are ever compiled.
SINGLE_WIDTH_STEP = 32


def decide(probabilities, labels, decision: dict | None) -> np.ndarray:
    """Class indices for rows of ``probabilities``: argmax, or for a two-class ``decision``
    ``{"positive", "threshold"}`` the positive class wherever its probability reaches the
    threshold.

    Examples
    --------
    >>> decide(np.array([[0.7, 0.3], [0.2, 0.8]]), ["ham", "spam"], {"positive": "spam", "threshold": 0.25})
    array([1, 1])
    """
    probabilities = np.asarray(probabilities)
    if not decision or len(labels) != 2 or decision.get("positive") not in labels:
        return probabilities.argmax(axis=1)
    positive = list(labels).index(decision["positive"])
    return np.where(probabilities[:, positive] >= decision["threshold"], positive, 1 - positive)


def blend(network, tfidf, weight: float) -> np.ndarray:
    """``weight × network + (1 − weight) × tfidf``: two models' class probabilities mixed.

    Examples
    --------
    >>> blend(np.array([[0.9, 0.1]]), np.array([[0.5, 0.5]]), 0.5)
    array([[0.7, 0.3]], dtype=float32)
    """
    return (weight * np.asarray(network, dtype=np.float64)
            + (1 - weight) * np.asarray(tfidf, dtype=np.float64)).astype(np.float32)


MAX_TOKENS = 2_000_000      # vocabulary entries a bundle may list
MAX_LAYER_SIZE = 4096       # units, filters, embedding width: this app's networks stay at 1,024


def check_documents(documents: dict) -> None:
    """Refuse bundle JSON that is not what this app writes, before any of it is used: a list
    where settings belong, a threshold given as a string, repeated or missing labels, a
    vocabulary that is not a list of strings. (Each of these loaded before, and then every
    prediction failed with an internal error.)

    Raises
    ------
    ValueError
        Naming the file and what is wrong with it.
    """
    kinds = {"preprocess.json": dict, "vocabulary.json": dict, "labels.json": list, "settings.json": dict,
             "metrics.json": dict}
    for name, kind in kinds.items():
        if not isinstance(documents[name], kind):
            raise ValueError(f"{name} holds {type(documents[name]).__name__}, not {kind.__name__}")
    labels = documents["labels.json"]
    if len(labels) < 2 or not all(isinstance(label, str) and label for label in labels) or len(set(labels)) != len(labels):
        raise ValueError("labels.json must list two or more different class names")
    tokens = documents["vocabulary.json"].get("tokens")
    if not isinstance(tokens, list) or len(tokens) > MAX_TOKENS or not all(isinstance(token, str) for token in tokens):
        raise ValueError("vocabulary.json must hold a list of tokens (strings)")
    settings = documents["settings.json"]
    if settings.get("kind", "keras") not in KINDS:
        raise ValueError(f"settings.json names an unknown kind of model: {settings.get('kind')!r}")
    if settings.get("kind") == "blend":
        weight = (settings.get("blend") or {}).get("weight") if isinstance(settings.get("blend"), dict) else None
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 1:
            raise ValueError("settings.json: a blend needs blend.weight between 0 and 1")
    for section in ("model", "train", "data", "device"):
        if not isinstance(settings.get(section, {}), dict):
            raise ValueError(f"settings.json: {section} must be an object")
    decision = settings.get("decision")
    if decision is not None:
        threshold = decision.get("threshold") if isinstance(decision, dict) else None
        if (not isinstance(decision, dict) or decision.get("positive") not in labels or isinstance(threshold, bool)
                or not isinstance(threshold, (int, float)) or not 0 < threshold < 1):
            raise ValueError("settings.json: decision must name a class and a threshold between 0 and 1")
    for key in ("test", "baseline", "history"):
        if not isinstance(documents["metrics.json"].get(key) or {}, dict):
            raise ValueError(f"metrics.json: {key} must be an object")
    PreprocessConfig.from_dict(documents["preprocess.json"])


MAX_KERNEL = 64             # a convolution's kernel (this app's stay at 7)
MAX_LAYERS = 200            # layers in a model's config (this app's have ~20)
MAX_INPUT_SIZE = 1_000_000  # a size an input declares
MAX_INNER_RATIO = 50        # a member of model.keras over 1 MB packed tighter than this is a bomb (weights pack ~1×)


def check_keras_file(path, limit: int = 2**31) -> None:
    """Refuse a ``model.keras`` whose layers declare more than its weights file could hold, or
    sizes this app never uses (Keras would allocate them while building the model, before
    loading any weight), or whose own members unpack to far more than they hold (a weights file
    of zeros deflated a thousandfold). Only the zip's directory and its ``config.json`` are read.
    Safe mode still refuses code.

    Raises
    ------
    ValueError
        Naming the member or the layer setting that is too large.
    """
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        for info in infos:
            ratio = info.file_size / max(1, info.compress_size)
            if info.file_size > limit or info.file_size > 2**20 and ratio > MAX_INNER_RATIO:
                raise ValueError(f"model.keras: {info.filename} unpacks to {info.file_size:,} bytes "
                                 f"({ratio:,.0f}× what it holds)")
        sizes = {info.filename: info.file_size for info in infos}
        if sizes.get("config.json", 0) > 10 * 2**20:
            raise ValueError("config.json is larger than 10 MB")
        config = json.loads(archive.read("config.json"))
    weights = sum(size for name, size in sizes.items() if name.endswith(".h5"))
    room = min(limit, 2 * weights + 2**20)
    for node in _nodes(config):
        rows, width = node.get("input_dim", node.get("buckets")), node.get("output_dim")
        if isinstance(rows, int) and isinstance(width, int) and rows * width * 4 > room:
            raise ValueError(f"a table of {rows:,} × {width:,} weights, more than model.keras holds")
    parameters = declared_parameters(config)
    if parameters * 4 > room:
        raise ValueError(f"layers declaring {parameters:,} weights, more than model.keras holds")


def _nodes(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def _size(value) -> int:
    """A declared size: an int, or the product of a list of ints (a kernel's shape)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, list) and value and all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        return int(np.prod(value, dtype=np.float64))
    return 0


def declared_parameters(config: dict) -> int:
    """An upper bound on the weights a Keras model config declares, read without Keras: every
    layer's table, kernel and recurrent weights, taking each layer's input as wide as the widest
    layer. Sizes this app never uses are refused outright.

    Raises
    ------
    ValueError
        Naming the setting that is too large.

    Examples
    --------
    >>> declared_parameters({"layers": [{"class_name": "Embedding", "config": {"input_dim": 100, "output_dim": 8}},
    ...                                  {"class_name": "Dense", "config": {"units": 2}}]})
    818
    """
    nodes = [node for node in _nodes(config) if isinstance(node.get("config"), dict) and "class_name" in node]
    if len(nodes) > MAX_LAYERS:
        raise ValueError(f"{len(nodes):,} layers")
    width = 1
    for node in _nodes(config):
        for key in ("units", "filters", "output_dim"):
            value = node.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if value > MAX_LAYER_SIZE:
                    raise ValueError(f"a layer with {key} = {value:,}")
                width = max(width, int(value))
        kernel = _size(node.get("kernel_size"))
        if kernel > MAX_KERNEL:
            raise ValueError(f"a layer with kernel_size = {node.get('kernel_size')}")
        for key in ("batch_shape", "shape", "batch_input_shape"):
            if _size([item for item in node.get(key) or [] if isinstance(item, int)] or 0) > MAX_INPUT_SIZE:
                raise ValueError(f"an input of shape {node.get(key)}")
    total = 0
    for node in nodes:
        layer, kind = node["config"], node["class_name"]
        rows = _size(layer.get("input_dim", layer.get("buckets")))
        units = _size(layer.get("units", layer.get("filters")))
        if rows and _size(layer.get("output_dim")):
            total += rows * _size(layer.get("output_dim"))
        elif kind in ("LSTM", "GRU", "SimpleRNN"):
            gates = {"LSTM": 4, "GRU": 3}.get(kind, 1)
            total += gates * (2 * width + units + 1) * units
        elif units:
            total += max(1, _size(layer.get("kernel_size"))) * width * units + units
    return total


class ModelKind:
    """What differs between the kinds of model a bundle carries, behind one interface (like
    scikit-learn's estimators): how many classes it scores, which tokens it reads, its
    probabilities for token lists, and its files. A new kind is a subclass here, one entry in
    :data:`KIND_CLASSES`, and its case in the contract test (tests/core/test_kinds.py)."""

    name = ""

    def outputs(self, bundle) -> int:
        return int(bundle.model.output_shape[-1])

    def read_tokens(self, bundle, tokens) -> list:
        """The tokens the model reads of a text (the network stops at the padding length)."""
        return list(tokens)

    def probabilities(self, bundle, token_lists, batch_size: int) -> np.ndarray:
        raise NotImplementedError

    def parts(self, bundle) -> list:
        """The fitted parts whose weights must be finite."""
        return [bundle.model]

    def save(self, bundle, staging: Path) -> None:
        bundle.model.save(staging / MODEL_FILE)

    def load_extra(self, directory: Path, documents: dict):
        """A second part stored beside the model (the blend's TF-IDF), else ``None``."""
        return None


class NetworkKind(ModelKind):
    """The neural network alone (Embedding → LSTM/GRU → Dense softmax)."""

    name = "keras"

    def read_tokens(self, bundle, tokens) -> list:
        length = bundle.preprocess.max_length
        return list(tokens[:length]) if length else list(tokens)

    def probabilities(self, bundle, token_lists, batch_size: int) -> np.ndarray:
        length = bundle.preprocess.max_length
        return bundle.predict_ids([bundle.vocabulary.encode(tokens, length) for tokens in token_lists], batch_size)


class TfidfKind(ModelKind):
    """TF-IDF + logistic regression (core.models.tfidf): no TensorFlow at all."""

    name = "tfidf"

    def outputs(self, bundle) -> int:
        return bundle.model.classes

    def probabilities(self, bundle, token_lists, batch_size: int) -> np.ndarray:
        return bundle.model.predict_proba(token_lists)

    def save(self, bundle, staging: Path) -> None:
        bundle.model.save(staging)


class BlendKind(NetworkKind):
    """The network and TF-IDF, their probabilities mixed with the bundle's weight (what
    Automatic may keep). The network part stops at the padding length; TF-IDF reads every token."""

    name = "blend"

    def read_tokens(self, bundle, tokens) -> list:
        return list(tokens)

    def probabilities(self, bundle, token_lists, batch_size: int) -> np.ndarray:
        network = super().probabilities(bundle, token_lists, batch_size)
        return blend(network, bundle.tfidf.predict_proba(token_lists), bundle.weight)

    def parts(self, bundle) -> list:
        return [bundle.model, bundle.tfidf]

    def save(self, bundle, staging: Path) -> None:
        super().save(bundle, staging)
        bundle.tfidf.save(staging)
        (staging / TERMS_FILE).write_text(json.dumps(bundle.tfidf.terms, ensure_ascii=False), encoding="utf-8")

    def load_extra(self, directory: Path, documents: dict):
        if (directory / TERMS_FILE).stat().st_size > 200 * 2**20:
            raise ValueError(f"{TERMS_FILE} is larger than 200 MB")
        terms = json.loads((directory / TERMS_FILE).read_text(encoding="utf-8"))
        if not isinstance(terms, list) or not all(isinstance(term, str) for term in terms):
            raise ValueError(f"{TERMS_FILE} must hold a list of terms (strings)")
        return TfidfModel.load(directory, terms)


KIND_CLASSES: dict[str, ModelKind] = {kind.name: kind for kind in (NetworkKind(), TfidfKind(), BlendKind())}
KINDS = tuple(KIND_CLASSES)


class BundleTooNew(Exception):
    """A bundle of a format newer than :data:`core.models.meta.FORMAT_VERSION` (its number in args[0])."""


@dataclass
class Bundle:
    """A trained classifier that takes raw text.

    Parameters
    ----------
    model : keras.Model or core.models.tfidf.TfidfModel
        Takes right-padded token ids (or, for TF-IDF, token lists), returns class probabilities.
    tfidf : core.models.tfidf.TfidfModel, optional
        A blend's second model (``kind == "blend"``): probabilities are
        ``weight × network + (1 − weight) × TF-IDF`` (``settings["blend"]["weight"]``).
    preprocess : PreprocessConfig
        Cleaning and tokenization, with ``max_length`` resolved.
    vocabulary : Vocabulary
    labels : list of str
        Class names, in the order of the model's outputs.
    settings, metrics : dict
        JSON-serialisable training settings and results.
    """

    model: Any   # a Keras model, a TfidfModel or a BlendModel (see kind)
    preprocess: PreprocessConfig
    vocabulary: Vocabulary
    labels: list[str]
    settings: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    tfidf: Any = None

    def __post_init__(self):
        self._forward = None
        self._single = None

    # -- prediction -------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        """``"keras"`` (the neural network), ``"tfidf"`` (TF-IDF + logistic regression) or
        ``"blend"`` (both, their probabilities mixed: what Automatic may keep)."""
        return self.settings.get("kind", "keras")

    @property
    def kind_class(self) -> ModelKind:
        """What this kind of model does (:class:`ModelKind`)."""
        return KIND_CLASSES[self.kind]

    @property
    def weight(self) -> float:
        """A blend's weight on the network (TF-IDF gets ``1 − weight``)."""
        return float((self.settings.get("blend") or {}).get("weight", 1.0))

    @property
    def info(self):
        """``settings`` and ``metrics`` as typed values (a :class:`core.models.meta.RunInfo`), read afresh."""
        return RunInfo.parse(self.settings, self.metrics)

    @property
    def outputs(self) -> int:
        """Number of classes the model scores."""
        return self.kind_class.outputs(self)

    def read_tokens(self, tokens) -> list[str]:
        """The tokens of a text the model reads: a network stops at the padding length; TF-IDF
        reads them all, and so does a blend (its TF-IDF part; its network part still stops)."""
        return self.kind_class.read_tokens(self, tokens)

    def predict_token_lists(self, token_lists) -> np.ndarray:
        """Probabilities for already tokenized texts (cut to the padding length for the network)."""
        return self.kind_class.probabilities(self, list(token_lists), PREDICT_BATCH)

    def encode(self, texts) -> list[list[int]]:
        """Token ids of each text, cut to the bundle's padding length."""
        length = self.preprocess.max_length
        return [self.vocabulary.encode(tokenize(text, self.preprocess), length) for text in texts]

    def _compiled_forward(self):
        # One traced graph for every batch shape: calling it costs ~1 ms, where
        # model.predict() spends tens of milliseconds setting up a data pipeline per call.
        if self._forward is None:
            # lazy: TensorFlow takes ~5 s to load: only the network path pays for it
            import tensorflow as tf

            model = self.model
            self._forward = tf.function(
                lambda ids: model(ids, training=False),
                input_signature=[tf.TensorSpec([None, None], tf.int32)],
                reduce_retracing=True,
            )
        return self._forward

    def _single_forward(self):
        # A 100-step LSTM on the CPU: 1.8 ms compiled by XLA against 10.4 ms as a plain graph
        # (bench/predict.py). Only on the CPU: on a GPU the LSTM already runs as one cuDNN kernel.
        if self._single is None:
            # lazy: TensorFlow takes ~5 s to load: only the network path pays for it
            import tensorflow as tf

            if tf.config.list_physical_devices("GPU"):
                self._single = False
            else:
                model = self.model
                self._single = tf.function(lambda ids: model(ids, training=False), jit_compile=True,
                                           reduce_retracing=False)
        return self._single

    def predict_ids(self, sequences, batch_size: int = PREDICT_BATCH) -> np.ndarray:
        """Probabilities (n × classes) for token-id lists.

        Texts are grouped by length so each batch is padded only to its own longest text;
        with masking the padding does not change the result.
        """
        sequences = list(sequences)
        probabilities = np.zeros((len(sequences), len(self.labels)), dtype=np.float32)
        if not sequences:
            return probabilities
        single = self._single_forward() if len(sequences) == 1 else None
        if single:
            width = -(-max(1, len(sequences[0])) // SINGLE_WIDTH_STEP) * SINGLE_WIDTH_STEP
            return single(pad(sequences, width)).numpy().astype(np.float32)
        forward = self._compiled_forward()
        order = np.argsort([len(seq) for seq in sequences], kind="stable")
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            batch = pad([sequences[i] for i in rows])
            probabilities[rows] = forward(batch).numpy()
        return probabilities

    def predict_proba(self, texts, batch_size: int = PREDICT_BATCH) -> np.ndarray:
        """Class probabilities for raw texts, shape (n, len(labels))."""
        return self.kind_class.probabilities(self, [tokenize(text, self.preprocess) for text in texts], batch_size)

    # -- the decision -----------------------------------------------------------------------

    @property
    def decision(self) -> dict | None:
        """The saved decision rule of a two-class model, ``{"positive": label, "threshold": t}``:
        a text is ``positive`` when its probability reaches ``t``. ``None``: the most probable
        class wins (the same as a threshold of 0.5)."""
        return self.settings.get("decision")

    def set_decision(self, positive: str | None, threshold: float | None = None) -> None:
        """Save a decision threshold for ``positive`` (``None`` removes it).

        Raises
        ------
        UserError
            If the model does not have exactly two classes, ``positive`` is not one of them or
            the threshold is not strictly between 0 and 1.
        """
        if positive is None:
            self.settings.pop("decision", None)
            return
        if len(self.labels) != 2:
            raise UserError("err.threshold_two_classes", n=len(self.labels))
        if positive not in self.labels:
            raise UserError("err.unknown_label", label=positive, labels=", ".join(self.labels))
        if threshold is None or not 0.0 < float(threshold) < 1.0:
            raise UserError("err.bad_setting", name="threshold", value=threshold, allowed="0 … 1")
        self.settings["decision"] = {"positive": positive, "threshold": round(float(threshold), 4)}

    def decide(self, probabilities) -> np.ndarray:
        """Class index of each row of ``probabilities`` under :attr:`decision`."""
        return decide(probabilities, self.labels, self.decision)

    def predict(self, texts) -> list[str]:
        """The label of each raw text: the most probable, or the saved threshold's decision."""
        return [self.labels[i] for i in self.decide(self.predict_proba(texts))]

    def answers(self, texts) -> list[dict]:
        """``{"label": .., "probabilities": {label: p}}`` for each raw text: the CLI's JSON and
        the prediction service's answers (the saved threshold decides the label)."""
        probabilities = self.predict_proba(list(texts))
        return [{"label": self.labels[int(index)],
                 "probabilities": {label: float(p) for label, p in zip(self.labels, row)}}
                for index, row in zip(self.decide(probabilities), probabilities)]

    def predict_one(self, text: str) -> dict:
        """``{"label": .., "probabilities": {label: p}}`` for one text (the CLI's JSON)."""
        return self.answers([text])[0]

    # -- storage ----------------------------------------------------------------------------

    def save(self, directory) -> Path:
        """Write the bundle: completely into a staging folder beside ``directory``, which then
        replaces it (:func:`core.base.files.replace_dir`): a crash at any moment leaves the old
        bundle or the new one whole. A folder that holds anything but a bundle is refused
        (``err.out_not_empty``), never emptied."""
        directory = Path(directory)
        check_replaceable(directory, BUNDLE_FILES, "bundle")
        self.check_finite()
        with staged(directory) as staging:
            self.kind_class.save(self, staging)
            documents = {
                "preprocess.json": self.preprocess.to_dict(),
                "vocabulary.json": self.vocabulary.to_dict(),
                "labels.json": self.labels,
                "settings.json": {**self.settings, "format_version": FORMAT_VERSION},
                "metrics.json": self.metrics,
            }
            for name, document in documents.items():
                (staging / name).write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        return directory

    def check_finite(self) -> None:
        """Refuse a model whose weights are not all finite numbers (NaN or infinity, from vectors,
        a learning rate that diverged, or anything else): every prediction of it would be NaN and
        every text would get the first class.

        Raises
        ------
        UserError
            ``err.model_not_finite``.
        """
        arrays = []
        for part in self.kind_class.parts(self):
            if hasattr(part, "get_weights"):
                arrays += part.get_weights()
            else:
                arrays += [part.idf, part.coef, part.intercept]
        if not all(np.isfinite(np.asarray(array, dtype=np.float64)).all() for array in arrays):
            raise UserError("err.model_not_finite")

    @classmethod
    def load(cls, directory) -> Bundle:
        """Load a bundle folder saved by :meth:`save` (Keras safe mode: no arbitrary code).

        Raises
        ------
        UserError
            If the folder does not exist or is not a complete bundle.
        """
        directory = Path(directory)
        if not directory.is_dir():
            raise UserError("err.bundle_missing", path=str(directory))
        model_file = next((name for name in MODEL_FILES if (directory / name).is_file()), MODEL_FILE)
        missing = [name for name in (model_file, *JSON_FILES) if not (directory / name).is_file()]
        if missing:
            raise UserError("err.bundle_incomplete", path=str(directory), missing=", ".join(missing))
        try:
            documents = {name: json.loads((directory / name).read_text(encoding="utf-8")) for name in JSON_FILES}
            check_documents(documents)
            version = documents["settings.json"].get("format_version") or 0
            if not isinstance(version, int) or version > FORMAT_VERSION:
                raise BundleTooNew(version)
            if model_file == TFIDF_FILE:
                model = TfidfModel.load(directory, [str(term) for term in documents["vocabulary.json"]["tokens"]])
            else:  # Keras only for a network (a TF-IDF bundle loads without TensorFlow)
                check_keras_file(directory / MODEL_FILE)   # before Keras builds (and allocates) anything
                # lazy: Keras loads TensorFlow (~5 s): only the network path pays for it
                import keras

                from core.models.model import MaskedGlobalMaxPooling1D  # noqa: F401  (registered for safe loading)

                model = keras.saving.load_model(directory / MODEL_FILE, compile=False, safe_mode=True)
            tfidf = KIND_CLASSES[documents["settings.json"].get("kind", "keras")].load_extra(directory, documents)
        except BundleTooNew as error:
            raise UserError("err.bundle_newer", path=str(directory), version=error.args[0], known=FORMAT_VERSION) from None
        except Exception as error:
            raise UserError("err.bundle_unreadable", path=str(directory), detail=str(error).splitlines()[0][:200]) from error
        return cls(
            model=model,
            preprocess=PreprocessConfig.from_dict(documents["preprocess.json"]),
            vocabulary=Vocabulary.from_dict(documents["vocabulary.json"]),
            labels=[str(label) for label in documents["labels.json"]],
            settings=documents["settings.json"],
            metrics=documents["metrics.json"],
            tfidf=tfidf,
        )
