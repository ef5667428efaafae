"""What a bundle says about the run that made it, as typed values.

A bundle keeps ``settings.json`` and ``metrics.json`` as plain JSON, so that any version of the app
(and a person) can read them; code reads them through :class:`RunInfo` instead of string keys, so
a field has one name and one type everywhere and a missing one has one default. Read it with
:attr:`core.models.bundle.Bundle.info`, or :meth:`RunInfo.parse` for the two documents themselves.

Example
-------
>>> info = RunInfo.parse({"kind": "keras", "train": {"epochs": 4}, "data": {"rows": 10, "label_column": "y"}},
...                      {"val_accuracy": 0.9, "test": {"accuracy": 0.85, "macro_f1": 0.8, "n": 20}})
>>> info.train.epochs, info.data.label_column, info.test.accuracy, info.baseline is None
(4, 'y', 0.85, True)
>>> auto = RunInfo.parse({"kind": "tfidf", "auto": {"chosen": "tfidf", "weight": 0.4}},
...                      {"candidates": [{"name": "tfidf", "val_accuracy": 0.97}, {"name": "network", "epochs": 3}]})
>>> auto.auto.chosen, auto.candidate["network"].epochs, auto.format_version
('tfidf', 3, 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass

from core.base.config import ModelConfig, TrainConfig


def _known(cls, document) -> dict:
    """The entries of ``document`` that are fields of ``cls`` (a newer bundle may hold more)."""
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in (document or {}).items() if key in names}


def _plain(value):
    """``value`` as JSON: dataclasses as objects (their ``None`` fields left out), tuples as lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value) if getattr(value, f.name) is not None}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


class Document:
    """A typed part of ``settings.json`` / ``metrics.json``: written with :meth:`to_json`, read
    back with :meth:`from_json` (unknown keys of a newer bundle ignored, missing ones defaulted).

    >>> BatchFallback.from_json(BatchFallback(requested=64, used=16).to_json())
    BatchFallback(requested=64, used=16)
    """

    def to_json(self) -> dict:
        return _plain(self)

    @classmethod
    def from_json(cls, document):
        return cls(**_known(cls, document))


@dataclass(frozen=True)
class DataInfo(Document):
    """The data a model was trained on: its columns and how its rows were split."""

    text_column: str = "text"
    text_columns: tuple = ()
    label_column: str = "label"
    rows: int = 0
    train: int = 0
    validation: int = 0
    test: int = 0

    def __post_init__(self):
        object.__setattr__(self, "text_columns", tuple(self.text_columns or ([self.text_column] if self.text_column else [])))


@dataclass(frozen=True)
class Scores(Document):
    """Figures on labelled texts (:func:`core.models.evaluate.classification_metrics`); ``per_class``
    rows are ``{label, precision, recall, f1, support}``, ``confusion`` rows are true labels; kept
    in ``metrics.json`` as ``test`` (and, with a baseline's fields, ``baseline``)."""

    accuracy: float = 0.0
    macro_f1: float = 0.0
    n: int = 0
    weighted_f1: float = 0.0
    labels: tuple = ()
    per_class: tuple = ()
    confusion: tuple = ()
    unknown_labels: tuple = ()


@dataclass(frozen=True)
class Baseline(Scores):
    """The linear baseline trained beside a network, on its split: the best linear model on
    validation (``method``; TF-IDF + logistic regression in bundles made before issue 29)."""

    name: str = "TF-IDF + logistic regression"
    train_seconds: float = 0.0
    analyzer: str = "words"
    on: str = "test"             # "test", else "validation" (a run without a test split)
    method: str = "lr"           # which linear model (core.models.tfidf.METHODS): Automatic's is the best one


@dataclass(frozen=True)
class VectorsInfo(Document):
    """The word vectors a network started from (``settings["vectors"]``)."""

    source: str = ""
    dim: int = 0
    seconds: float = 0.0
    coverage: float = 0.0


@dataclass(frozen=True)
class Candidate(Document):
    """One of Automatic's candidates, scored on validation (and on the test split when there is
    one): a row of ``metrics["candidates"]``."""

    name: str
    val_accuracy: float = 0.0
    train_seconds: float = 0.0
    epochs: int | None = None
    weight: float | None = None
    test_accuracy: float | None = None
    macro_f1: float | None = None
    fitted_on: str | None = None   # a linear model: "train", or "train+validation" (the one kept or blended)


@dataclass(frozen=True)
class AutoInfo(Document):
    """What Automatic kept and how (``settings["auto"]``)."""

    chosen: str = ""
    weight: float | None = None
    candidates: tuple = ()
    tfidf_fitted_on: str = "train"
    vectors: VectorsInfo | None = None
    ready: str | None = None                 # the early model a user could use while the network trained …
    ready_seconds: float | None = None       # … ready this long after training began (reading the texts included) …
    ready_val_accuracy: float | None = None  # … and its validation accuracy (issue 29)


@dataclass(frozen=True)
class BatchFallback(Document):
    """A run that ran out of memory and trained on with a smaller batch (``settings["batch_fallback"]``)."""

    requested: int = 0
    used: int = 0


@dataclass(frozen=True)
class RunMetrics(Document):
    """The run's own figures in ``metrics.json`` (beside its ``test``, ``baseline`` and
    ``candidates``), written through this; :class:`RunInfo` reads them back."""

    val_accuracy: float | None = 0.0
    epochs: int = 0
    best_epoch: int = 0
    train_seconds: float | None = None
    stopped_by_user: bool = False
    history: dict = field(default_factory=dict)
    interrupted: bool | None = None     # True in the checkpoint of a run whose worker died


# The layout of a bundle's settings.json and metrics.json. 1: the first one that says so (bundles
# without a number are read as 0, the same layout); a reader refuses a number above its own.
FORMAT_VERSION = 1


@dataclass(frozen=True)
class RunInfo:
    """A bundle's ``settings.json`` and ``metrics.json``, typed.

    ``model`` is ``None`` for a TF-IDF bundle (``features`` then counts its terms);
    ``train_seconds`` is the fitting alone (what every page shows as the training time).
    """

    kind: str = "keras"
    model: ModelConfig | None = None
    train: TrainConfig = field(default_factory=TrainConfig)
    data: DataInfo = field(default_factory=DataInfo)
    device_name: str = "–"
    decision: dict | None = None
    features: int = 0
    checkpoint_epoch: int | None = None
    val_accuracy: float = 0.0
    epochs: int = 0
    best_epoch: int = 0
    train_seconds: float | None = None
    stopped_by_user: bool = False
    history: dict = field(default_factory=dict)
    test: Scores | None = None
    baseline: Baseline | None = None
    format_version: int = 0
    vectors: VectorsInfo | None = None
    auto: AutoInfo | None = None
    candidates: tuple = ()           # of Candidate
    blend_weight: float | None = None
    batch_fallback: BatchFallback | None = None
    interrupted: bool = False        # stored from the checkpoint of a run whose worker died

    @classmethod
    def parse(cls, settings: dict | None, metrics: dict | None) -> RunInfo:
        """Read the two documents (partial ones too: what is missing takes its default)."""
        settings, metrics = settings or {}, metrics or {}
        kind = settings.get("kind", "keras")
        model = settings.get("model") or {}
        test, baseline = metrics.get("test"), metrics.get("baseline")
        return cls(
            kind=kind,
            model=ModelConfig.from_dict(model) if kind != "tfidf" and model else None,
            train=TrainConfig.from_dict(settings.get("train") or {}),
            data=DataInfo(**_known(DataInfo, settings.get("data"))),
            device_name=str((settings.get("device") or {}).get("name", "–")),
            decision=settings.get("decision"),
            features=int(model.get("features", 0)) if kind == "tfidf" else 0,
            checkpoint_epoch=(settings.get("checkpoint") or {}).get("epoch"),
            val_accuracy=float(metrics.get("val_accuracy") or 0.0),
            epochs=int(metrics.get("epochs") or 0),
            best_epoch=int(metrics.get("best_epoch") or 0),
            train_seconds=metrics.get("train_seconds"),
            stopped_by_user=bool(metrics.get("stopped_by_user", False)),
            history=dict(metrics.get("history") or {}),
            test=Scores(**_known(Scores, test)) if test else None,
            baseline=Baseline(**_known(Baseline, baseline)) if baseline else None,
            format_version=int(settings.get("format_version") or 0),
            vectors=_vectors(settings.get("vectors")),
            auto=_auto(settings.get("auto")),
            candidates=tuple(Candidate(**_known(Candidate, row)) for row in metrics.get("candidates") or []
                             if isinstance(row, dict) and "name" in row),
            blend_weight=(settings.get("blend") or {}).get("weight") if isinstance(settings.get("blend"), dict) else None,
            batch_fallback=BatchFallback(**_known(BatchFallback, settings["batch_fallback"]))
            if isinstance(settings.get("batch_fallback"), dict) else None,
            interrupted=bool(metrics.get("interrupted", False)),
        )

    @property
    def candidate(self) -> dict:
        """Automatic's candidates by name (empty for any other run)."""
        return {row.name: row for row in self.candidates}


def _vectors(document) -> VectorsInfo | None:
    return VectorsInfo(**_known(VectorsInfo, document)) if isinstance(document, dict) else None


def _auto(document) -> AutoInfo | None:
    if not isinstance(document, dict):
        return None
    known = _known(AutoInfo, document)
    known["candidates"] = tuple(known.get("candidates") or ())
    known["vectors"] = _vectors(document.get("vectors"))
    return AutoInfo(**known)
