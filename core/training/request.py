"""One typed training request and the one entry that runs it.

The command line (``python -m core train``), the worker process of the app's local runner
(:mod:`core.training.worker`) and a task on Ray (:mod:`core.training.cluster`) all build a
:class:`TrainingRequest` and call :func:`run_training`: one place decides which model kind
trains and where its word vectors come from. The request travels between processes as plain
JSON (:meth:`TrainingRequest.to_payload` / :meth:`TrainingRequest.from_payload`), never pickled.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from core.base.config import ModelConfig, TrainConfig
from core.base.errors import UserError
from core.data.dataset import DataSet
from core.models.vectors import vectors_for
from core.text import PreprocessConfig
from core.training import train as training

KINDS = ("auto", "network", "tfidf")   # Automatic (the app's default), the network alone, TF-IDF + LR


@dataclass(frozen=True)
class VectorsSource:
    """Where the network's word vectors come from: ``none``, ``learned`` (from the labelled and
    the unlabelled texts) or ``file`` (``path``, a word2vec/GloVe/fastText text file).

    Examples
    --------
    >>> VectorsSource.parse("learn"), VectorsSource.parse(None).kind, VectorsSource.parse("/v.vec").path
    (VectorsSource(kind='learned', path=None), 'none', '/v.vec')
    >>> VectorsSource.parse("/v.vec").to_json(), VectorsSource.learned().to_json()
    ('/v.vec', 'learn')
    """

    kind: str = "none"
    path: str | None = None

    def __post_init__(self):
        if self.kind not in ("none", "learned", "file") or (self.kind == "file") != bool(self.path):
            raise UserError("err.bad_setting", name="vectors", value=f"{self.kind} {self.path or ''}".strip(),
                            allowed="none, learned, a file")

    @classmethod
    def learned(cls) -> VectorsSource:
        return cls("learned")

    @classmethod
    def parse(cls, value) -> VectorsSource:
        """From the form jobs and pages hand around: ``None`` (none), ``"learn"``, or a path."""
        if isinstance(value, VectorsSource):
            return value
        if not value:
            return cls()
        return cls.learned() if value == "learn" else cls("file", str(value))

    def to_json(self) -> str | None:
        """The form :meth:`parse` reads (``None``, ``"learn"`` or the path)."""
        return {"none": None, "learned": "learn"}.get(self.kind, self.path)

    @property
    def used(self) -> bool:
        return self.kind != "none"


@dataclass(frozen=True)
class TrainingRequest:
    """What one run trains: the data set, the preprocessing, the model kind (:data:`KINDS`) and
    its settings, the word vectors and the unlabelled texts they may learn from."""

    dataset: DataSet
    preprocess: PreprocessConfig
    kind: str = "auto"
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    vectors: VectorsSource = field(default_factory=VectorsSource)
    unlabelled: tuple = ()

    def __post_init__(self):
        kind = "network" if self.kind in ("keras", "lstm", "gru") else self.kind   # the job payload's older names
        if kind not in KINDS:
            raise UserError("err.bad_setting", name="kind", value=self.kind, allowed=", ".join(KINDS))
        object.__setattr__(self, "kind", kind)
        if kind == "tfidf":   # TF-IDF has no word vectors
            object.__setattr__(self, "vectors", VectorsSource())
        object.__setattr__(self, "unlabelled", tuple(self.unlabelled) if self.vectors.used else ())

    def to_payload(self) -> dict:
        """The request as JSON-ready data (the worker's ``job.json``, a Ray task's argument)."""
        dataset = self.dataset
        return {"texts": list(dataset.texts), "labels": list(dataset.labels), "text_column": dataset.text_column,
                "text_columns": list(dataset.text_columns), "label_column": dataset.label_column,
                "preprocess": self.preprocess.to_dict(), "model": self.model.to_dict(), "train": self.train.to_dict(),
                "kind": "keras" if self.kind == "network" else self.kind, "vectors": self.vectors.to_json(),
                "unlabelled": list(self.unlabelled)}

    @classmethod
    def from_payload(cls, payload: dict) -> TrainingRequest:
        """The request :meth:`to_payload` wrote (extra keys, such as the job's name, are ignored)."""
        dataset = DataSet(payload["texts"], payload["labels"], payload["text_column"], payload["label_column"],
                          payload.get("text_columns") or [])
        return cls(dataset, PreprocessConfig.from_dict(payload["preprocess"]), payload.get("kind") or "network",
                   ModelConfig.from_dict(payload.get("model") or {}), TrainConfig.from_dict(payload["train"]),
                   VectorsSource.parse(payload.get("vectors")), tuple(payload.get("unlabelled") or ()))


def run_training(request: TrainingRequest, callback=None, cache=None, vectors_progress=None):
    """Train what ``request`` asks for; returns a :class:`core.training.train.TrainResult`.

    ``callback``: the run's :class:`core.training.train.TrainingCallback`; ``cache``: the
    folder learned word vectors are kept in (``None``: not kept); ``vectors_progress(event,
    **fields)``: where the word vectors' progress goes (``vectors`` events: passes done and
    seconds left, then what was made). A TF-IDF run never imports TensorFlow.

    Raises
    ------
    UserError
        Settings or data that cannot train (as :func:`core.training.train.train` does).
    """

    if request.kind == "tfidf":
        return training.train_tfidf(request.dataset, request.preprocess, replace(request.train, baseline=False),
                                    callback)
    def network_inputs():
        if request.vectors.used:
            return _word_vectors(request, cache, vectors_progress)
        return None, None

    if request.kind == "auto":   # the linear models first (a usable model in seconds), then the vectors
        return training.train_auto(request.dataset, request.preprocess, request.model, request.train, callback,
                                   network_inputs=network_inputs)
    vectors, unlabelled_tokens = network_inputs()
    return training.train(request.dataset, request.preprocess, request.model, request.train, callback, vectors,
                          unlabelled_tokens)


def _word_vectors(request: TrainingRequest, cache, emit):
    def say(event, **fields):
        if emit is not None:
            emit(event, **fields)

    say("vectors", done=0, total=0, seconds_left=None, texts=len(request.dataset.texts) + len(request.unlabelled))
    vectors, unlabelled_tokens = vectors_for(
        request.vectors.path or "learn", request.dataset.texts, list(request.unlabelled), request.preprocess, cache,
        lambda done, total, left: say("vectors", done=done, total=total, seconds_left=round(left, 1)))
    say("vectors", done=1, total=1, seconds_left=0, words=len(vectors.words), dim=vectors.dim, source=vectors.source,
        seconds=round(vectors.seconds, 1))
    return vectors, unlabelled_tokens
