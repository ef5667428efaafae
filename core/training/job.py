"""One training run: its state, the events that move it and how it ends.

Both runners move a :class:`TrainingJob` only through its methods (each takes the job's lock):
the local runner (:mod:`core.training.jobs`, a worker process whose JSON lines are events) and the Ray
runner (:mod:`core.training.cluster`, a task whose events come through an actor). Both end it with
:func:`settle`. This module imports neither runner: they import it (no import loop).
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from core.base.config import TrainConfig
from core.base.files import recover
from core.models.bundle import Bundle
from core.models.evaluate import classification_metrics
from core.store import fingerprint
from core.training.batching import split_dataset


class JobState(str, Enum):
    """Where a training run is. A ``str``, so it is its own JSON (``"done"``)."""

    QUEUED = "queued"            # waiting for the device
    RUNNING = "running"
    DONE = "done"                # finished; its model is stored
    STOPPED = "stopped"          # ended early (Stop, or the worker died after a checkpoint); the best model is stored
    FAILED = "failed"            # ended with an error; nothing stored
    INTERRUPTED = "interrupted"  # (a worker's result.json only) its server died; the model was stored anyway

    def __str__(self) -> str:
        return self.value


ACTIVE = frozenset({JobState.QUEUED, JobState.RUNNING})
FINISHED = frozenset({JobState.DONE, JobState.STOPPED, JobState.FAILED})
STOP_FILE = "stop"
CHECKPOINT_ZIP = "checkpoint.zip"   # a run on Ray sends its best epoch here as zip bytes


@dataclass
class JobSnapshot:
    """A consistent copy of a job's progress, safe to render."""

    job_id: str
    state: JobState
    epoch: int
    epochs: int
    step: int
    steps: int
    history: list[dict]
    info: dict
    error: str | None
    error_key: str | None
    error_params: dict
    model_id: str | None
    elapsed: float
    vectors: dict = field(default_factory=dict)   # word vectors: {"done", "total", "seconds_left"}, then {"words", ...}
    placement: dict = field(default_factory=dict)  # on Ray: {"node", "host", "device", "kind", ...}; empty locally
    ready: dict = field(default_factory=dict)      # Automatic's early model: {"model_id", "candidate", "val_accuracy", "seconds"}

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def fraction(self) -> float:
        """Share of all planned batches done (0–1)."""
        if self.state in (JobState.DONE, JobState.STOPPED):
            return 1.0
        if not self.steps or not self.epochs:
            return 0.0
        done = max(0, self.epoch - 1) * self.steps + self.step
        return max(0.0, min(1.0, done / (self.epochs * self.steps)))


@dataclass
class TrainingJob:
    """One training run. Create it with :func:`start_training`."""

    name: str
    directory: Path
    workspace: str = ""
    job_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    state: JobState = JobState.QUEUED
    epoch: int = 0
    epochs: int = 0
    step: int = 0
    steps: int = 0
    history: list = field(default_factory=list)
    info: dict = field(default_factory=dict)
    error: str | None = None
    error_key: str | None = None
    error_params: dict = field(default_factory=dict)
    model_id: str | None = None
    started: float = field(default_factory=time.time)
    finished_at: float | None = None
    result: object = None  # (ModelEntry, Bundle) once done; (ModelEntry, None) after release_bundle
    metrics: dict = field(default_factory=dict)  # the finished model's metrics
    settings: dict = field(default_factory=dict)  # … and its settings (core.training.outcome says what the run did)
    # What was asked for: {"kind", "model", "train", "max_length"} (a reloaded Train page shows these, not its defaults).
    request: dict = field(default_factory=dict)
    vectors: dict = field(default_factory=dict)  # word vectors being learned or read (worker "vectors" lines)
    runner: str = "local"  # "local" (a worker process here) or "ray" (a task on the Ray cluster, core.training.cluster)
    placement: dict = field(default_factory=dict)  # on Ray: where the task runs (node, host, device)
    ready: dict = field(default_factory=dict)  # Automatic's early model (worker "ready" lines), usable at once

    def __post_init__(self):
        self._lock = threading.Lock()
        self._stop_requested = False

    def release_bundle(self):
        """Hand the finished model over: returns ``(entry, bundle)`` and keeps only the entry, so
        the job (kept in the registry for late readers) does not hold a Keras model in memory
        after the session that uses it has gone. Later callers get ``(entry, None)`` and load
        the model from the store."""
        with self._lock:
            result = self.result
            if result is not None:
                self.result = (result[0], None)
        return result

    def stop(self) -> None:
        """Ask the run to end after the current batch; the best weights so far are kept."""
        self._stop_requested = True
        (self.directory / STOP_FILE).touch()

    @property
    def stop_requested(self) -> bool:
        """Whether Stop was asked for (or the run ended early): it ends as "stopped"."""
        return self._stop_requested

    def ended_early(self) -> None:
        """The run ended before its planned epochs (Stop, early stopping on Ray): it settles as
        "stopped", as a local run does."""
        self._stop_requested = True

    def start_running(self) -> None:
        """The runner has the device (or the cluster placed the task): the clock starts now."""
        with self._lock:
            self.state, self.started = JobState.RUNNING, time.time()

    def fail(self, message: str, key: str | None = None, params: dict | None = None) -> None:
        """What went wrong, for :func:`settle` (``key``/``params``: a message of the catalog)."""
        with self._lock:
            self.error, self.error_key, self.error_params = message, key, dict(params or {})

    def fail_with(self, error: BaseException) -> None:
        """:meth:`fail` with an exception: a ``UserError`` keeps its message key, anything else
        its type and text (at most 500 characters)."""
        key = getattr(error, "key", None)
        if key is not None:
            self.fail(str(error), key, getattr(error, "params", {}))
        else:
            self.fail(f"{type(error).__name__}: {error}"[:500])

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            end = self.finished_at or time.time()
            return JobSnapshot(self.job_id, self.state, self.epoch, self.epochs, self.step, self.steps,
                               [dict(row) for row in self.history], dict(self.info), self.error,
                               self.error_key, dict(self.error_params), self.model_id, end - self.started,
                               dict(self.vectors), dict(self.placement), dict(self.ready))

    def apply(self, event: dict) -> None:
        """Fold one progress event of the worker or the Ray task into the job's state."""
        kind = event.get("event")
        with self._lock:
            if kind == "begin":
                self.info, self.epochs, self.steps = event["info"], event["info"]["epochs"], event["info"]["steps"]
            elif kind == "batch":
                self.epoch, self.step, self.steps = event["epoch"], event["step"], event["steps"]
            elif kind == "epoch":
                self.history.append({"epoch": event["epoch"], **event["logs"]})
            elif kind == "vectors":
                self.vectors = {key: value for key, value in event.items() if key != "event"}
            elif kind == "placed":   # a run on Ray: where its task runs
                self.placement = {key: value for key, value in event.items() if key != "event"}
            elif kind == "ready":   # Automatic's early model, usable while the network trains
                self.ready = {"model_id": event["model_id"], "candidate": event["candidate"],
                              "val_accuracy": event["val_accuracy"],
                              "seconds": self.ready.get("seconds", round(time.time() - self.started, 1))}
            elif kind == "done":
                self.model_id = event["model_id"]
            elif kind == "error":
                self.error, self.error_key, self.error_params = event["message"], event.get("key"), event.get("params", {})


def settle(job: TrainingJob, store, crash: str) -> None:
    """End ``job`` once its worker (a process here, or a Ray task) has ended: "done" or
    "stopped" with its stored model loaded back; else, when it died without saying why
    (``crash``: what to tell), "stopped" with the checkpoint in its folder kept as "<name>
    (interrupted)"; else "failed". The folder's copy of the user's data is deleted."""
    state, result = JobState.FAILED, None
    if not job.model_id and job.ready and job.error is None:
        # The worker ended without a word after Automatic's early model was stored: that model is
        # the run's result (as a run stopped then).
        job.model_id = job.ready["model_id"]
        job.ended_early()
    if job.model_id:
        try:
            result = (store.entry(job.model_id), store.load(job.model_id))
            state = JobState.STOPPED if job.stop_requested else JobState.DONE
        except Exception as error:  # the stored bundle is unreadable: say so
            job.error = f"{type(error).__name__}: {error}"
    elif job.error is None:
        job.error = crash or "the training run ended without a model"
        try:
            kept = _keep_checkpoint(job.directory,
                                    json.loads((job.directory / "job.json").read_text(encoding="utf-8")), store)
        except Exception as error:
            kept, job.error = None, f"{job.error}; the checkpoint could not be kept: {error}"
        if kept is not None:
            job.model_id = kept.model_id
            result, state = (kept, store.load(kept.model_id)), JobState.STOPPED
    # job.json is a full copy of the user's data: never leave it behind. A failed run keeps
    # its worker.log for the server's administrator. Cleaned before the job says it has ended, so
    # whoever waits for the end finds the folder gone (a test saw it still there).
    (job.directory / "job.json").unlink(missing_ok=True)
    if state != JobState.FAILED:
        shutil.rmtree(job.directory, ignore_errors=True)
    with job._lock:
        job.result, job.state, job.finished_at = result, state, time.time()
        job.metrics = dict(result[1].metrics) if result else {}
        job.settings = dict(result[1].settings) if result else {}


def _keep_checkpoint(directory: Path, payload: dict, store):
    """Store the checkpoint a dead worker left in ``directory`` as "<name> (interrupted)", with
    the run's own test split and test metrics; ``None`` when there is no complete checkpoint."""
    try:
        recover(directory / "checkpoint")  # a worker that died while rewriting it left the last one aside
        zipped = directory / CHECKPOINT_ZIP
        if zipped.is_file() and not (directory / "checkpoint").exists():
            # a run on Ray sends its checkpoints here as zip bytes (core.training.cluster): checked, unpacked
            from core.models.package import unpack_bundle

            unpack_bundle(zipped.read_bytes(), directory / "checkpoint")
        bundle = Bundle.load(directory / "checkpoint")
    except Exception:
        return None
    config = TrainConfig.from_dict(payload["train"])
    texts, labels = payload["texts"], payload["labels"]
    split = split_dataset(labels, config.validation_share, config.test_share, config.seed)
    test_texts, test_labels = [texts[i] for i in split.test], [labels[i] for i in split.test]
    if test_texts:
        bundle.metrics["test"] = classification_metrics(test_labels, bundle.predict(test_texts), bundle.labels).to_json()
    return store.add(bundle, f"{payload['name']} (interrupted)", payload["dataset_name"], test_texts, test_labels,
                     fingerprint(texts, labels))


def speed(snapshot: JobSnapshot) -> dict:
    """Training examples per second so far and the seconds left for the planned epochs
    (``None`` before the first batches). Early stopping may end the run sooner.

    Examples
    --------
    >>> s = JobSnapshot("j", JobState.RUNNING, 2, 4, 50, 100, [], {"train": 3200}, None, None, {}, None, 30.0)
    >>> speed(s)
    {'examples_per_s': 160.0, 'seconds_left': 50.0}
    """
    examples = snapshot.info.get("train")
    if snapshot.state != JobState.RUNNING or not examples or not snapshot.steps or snapshot.elapsed <= 0:
        return {"examples_per_s": None, "seconds_left": None}
    done_steps = max(0, snapshot.epoch - 1) * snapshot.steps + snapshot.step
    if not done_steps:
        return {"examples_per_s": None, "seconds_left": None}
    per_step = examples / snapshot.steps
    rate = done_steps * per_step / snapshot.elapsed
    left = (snapshot.epochs * snapshot.steps - done_steps) * per_step / rate
    return {"examples_per_s": round(rate, 1), "seconds_left": round(left, 1)}


def phase(snapshot: JobSnapshot) -> str:
    """What a running job is doing, for its progress line: ``"starting"`` (no batch reported
    yet: the worker loads TensorFlow and reads the texts), ``"finishing"`` (every planned batch
    done: TF-IDF, the blend and the test texts take their own time, so no "0 s left") or
    ``"training"``.

    Examples
    --------
    >>> phase(JobSnapshot("j", JobState.RUNNING, 0, 0, 0, 0, [], {}, None, None, {}, None, 3.0))
    'starting'
    >>> phase(JobSnapshot("j", JobState.RUNNING, 1, 10, 0, 63, [], {}, None, None, {}, None, 4.0))
    'starting'
    >>> phase(JobSnapshot("j", JobState.RUNNING, 4, 4, 100, 100, [], {"train": 3200}, None, None, {}, None, 30.0))
    'finishing'
    """
    if not snapshot.steps or (snapshot.epoch <= 1 and not snapshot.step):   # planned, no batch done yet
        return "starting"
    left = speed(snapshot)["seconds_left"]
    return "finishing" if left is not None and left < 1 else "training"


def wait(job: TrainingJob, timeout: float = 600.0, poll: float = 0.1) -> JobSnapshot:
    """Block until ``job`` has finished (for scripts and tests); returns its last snapshot."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        snapshot = job.snapshot()
        if snapshot.finished:
            return snapshot
        time.sleep(poll)
    raise TimeoutError(f"job {job.job_id} still {job.state} after {timeout} s")
