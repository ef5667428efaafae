"""Background training jobs: each run trains in its own worker process.

Streamlit reruns a page script on every click and a script run dies when the user moves to
another page, so training cannot live inside it. It cannot live in a thread of the server
either: every rerun of a live page holds Python's GIL (building charts), and Keras's per-batch
Python work then waits for it — training ran 8× slower while a browser watched it. So a job
starts ``python -m core.worker JOB_DIR`` (see :mod:`core.worker`): the worker reads the job
from ``job.json``, trains, saves the bundle to the model store and reports progress as JSON
lines on stdout, which a small monitor thread here folds into the job's state. Nothing is
pickled. Jobs run one at a time per server process (one device); a second one waits, and a
workspace has at most one job queued or running (a double click starts one run).

If the server dies mid-run, the worker notices, stops after its current batch and stores the
model anyway; if the worker dies too, its last checkpoint (the best epoch so far) is kept.
:func:`recover`, run when the app starts and when a session opens, turns what such a run left
behind into a stored model and an "interrupted" notice for its workspace, and deletes the
copy of the user's data the job folder held.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from core import cluster
from core.text import MAX_LENGTH_CAP



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
KEEP_FINISHED_S = 3600  # finished jobs stay findable (a reloaded tab) for an hour

_DEVICE_LOCK = threading.Lock()
_JOBS: dict[str, "TrainingJob"] = {}
_REGISTRY_LOCK = threading.Lock()


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
    settings: dict = field(default_factory=dict)  # … and its settings (core.outcome says what the run did)
    # What was asked for: {"kind", "model", "train", "max_length"} (a reloaded Train page shows these, not its defaults).
    request: dict = field(default_factory=dict)
    vectors: dict = field(default_factory=dict)  # word vectors being learned or read (worker "vectors" lines)
    runner: str = "local"  # "local" (a worker process here) or "ray" (a task on the Ray cluster, core.cluster)
    placement: dict = field(default_factory=dict)  # on Ray: where the task runs (node, host, device)

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

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            end = self.finished_at or time.time()
            return JobSnapshot(self.job_id, self.state, self.epoch, self.epochs, self.step, self.steps,
                               [dict(row) for row in self.history], dict(self.info), self.error,
                               self.error_key, dict(self.error_params), self.model_id, end - self.started,
                               dict(self.vectors), dict(self.placement))

    def _apply(self, event: dict) -> None:
        """Fold one progress line from the worker into the job's state."""
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
            elif kind == "done":
                self.model_id = event["model_id"]
            elif kind == "error":
                self.error, self.error_key, self.error_params = event["message"], event.get("key"), event.get("params", {})


def start_training(dataset, preprocess, model_config, train_config, name: str, dataset_name: str,
                   store, kind: str = "keras", vectors: str | None = None, unlabelled=()) -> TrainingJob:
    """Train in a worker process and add the result to ``store``.

    Returns at once. The finished job's ``result`` is ``(ModelEntry, Bundle)``: the stored
    entry and the bundle loaded back, so the app can use it without another load. ``kind``
    ``"tfidf"`` trains TF-IDF + logistic regression instead of the network (``model_config``
    is then ignored); ``"auto"`` trains the network, TF-IDF and their blend and keeps the best
    (:func:`core.train.train_auto`). ``vectors``: ``"learn"`` (from the labelled texts and
    ``unlabelled``, kept in the workspace's cache) or the path of a vectors file for the network
    to start from; ``None``: none.

    Raises
    ------
    UserError
        At once, before any training: settings that cannot work (:func:`core.memory.check_run`:
        a batch larger than the training rows, more memory than is free), a workspace that is
        full or cannot be written, or one that already has a run queued or training
        (``err.job_running``).
    """
    from core.errors import UserError
    from core.memory import check_run
    from core.store import storage_errors

    # Settings that cannot work are refused here, before a worker starts (train() checks again).
    check_run(len(dataset), len(dataset.label_names), model_config, train_config,
              preprocess.max_length or MAX_LENGTH_CAP, preprocess.max_vocab, kind="tfidf" if kind == "tfidf" else "keras")
    store.check_room()
    with _REGISTRY_LOCK:
        for old in [job for job in _JOBS.values() if job.finished_at and time.time() - job.finished_at > KEEP_FINISHED_S]:
            del _JOBS[old.job_id]  # the registry stays small on a long-running server
        root = Path(store.root).resolve()
        running = [job for job in _JOBS.values() if job.workspace == store.workspace
                   and job.state in ACTIVE and job.directory.parent.parent.resolve() == root]
        if running:
            raise UserError("err.job_running", name=running[0].name)
        with storage_errors(store.root):
            directory = Path(tempfile.mkdtemp(prefix="job-", dir=_jobs_dir(store)))
        job = TrainingJob(name=name, directory=directory, workspace=getattr(store, "workspace", ""),
                          runner="ray" if cluster.enabled() else "local",
                          request={"kind": kind, "model": model_config.to_dict(), "train": train_config.to_dict(),
                                   "max_length": preprocess.max_length})
        _JOBS[job.job_id] = job
    payload = {
        "job_id": job.job_id,
        "texts": dataset.texts, "labels": dataset.labels,
        "text_column": dataset.text_column, "text_columns": dataset.text_columns,
        "label_column": dataset.label_column,
        "preprocess": preprocess.to_dict(), "model": model_config.to_dict(), "train": train_config.to_dict(),
        "name": name, "dataset_name": dataset_name, "store_root": str(Path(store.root).resolve()),
        "workspace": store.workspace, "kind": kind,
        "vectors": vectors if kind != "tfidf" else None, "unlabelled": list(unlabelled) if vectors else [],
    }
    try:
        with storage_errors(store.root):
            (directory / "job.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
            (directory / "owner.pid").write_text(str(os.getpid()))
    except UserError:
        with _REGISTRY_LOCK:
            _JOBS.pop(job.job_id, None)
        shutil.rmtree(directory, ignore_errors=True)
        raise
    if job.runner == "ray":
        cluster.start(job, payload, store)
    else:
        threading.Thread(target=_monitor, args=(job, store), name=f"train-{job.job_id}", daemon=True).start()
    return job


def _jobs_dir(store) -> Path:
    path = Path(store.root) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _monitor(job: TrainingJob, store) -> None:
    with _DEVICE_LOCK:
        with job._lock:
            job.state, job.started = JobState.RUNNING, time.time()
        if job._stop_requested:
            (job.directory / STOP_FILE).touch()
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3")}
        with open(job.directory / "worker.log", "wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "core.worker", str(job.directory)],
                                       stdout=subprocess.PIPE, stderr=log, env=env,
                                       cwd=Path(__file__).resolve().parent.parent)
            for line in process.stdout:
                try:
                    job._apply(json.loads(line))
                except (json.JSONDecodeError, KeyError):
                    continue  # a stray print from a library, not a progress line
            code = process.wait()
        settle(job, store, f"the training process ended unexpectedly (exit code {code}); see {job.directory}/worker.log")


def settle(job: TrainingJob, store, crash: str) -> None:
    """End ``job`` once its worker (a process here, or a Ray task) has ended: "done" or
    "stopped" with its stored model loaded back; else, when it died without saying why
    (``crash``: what to tell), "stopped" with the checkpoint in its folder kept as "<name>
    (interrupted)"; else "failed". The folder's copy of the user's data is deleted."""
    state, result = JobState.FAILED, None
    if job.model_id:
        try:
            result = (store.entry(job.model_id), store.load(job.model_id))
            state = JobState.STOPPED if job._stop_requested else JobState.DONE
        except Exception as error:  # the stored bundle is unreadable: say so
            job.error = f"{type(error).__name__}: {error}"
    elif job.error is None:
        job.error = crash or "the training run ended without a model"
        try:
            kept = _keep_checkpoint(job.directory,
                                    json.loads((job.directory / "job.json").read_text(encoding="utf-8")), store)
        except Exception as error:  # noqa: BLE001 - e.g. the disk is full: the run still ends, as failed
            kept, job.error = None, f"{job.error}; the checkpoint could not be kept: {error}"
        if kept is not None:
            job.model_id = kept.model_id
            result, state = (kept, store.load(kept.model_id)), JobState.STOPPED
    with job._lock:
        job.result, job.state, job.finished_at = result, state, time.time()
        job.metrics = dict(result[1].metrics) if result else {}
        job.settings = dict(result[1].settings) if result else {}
    # job.json is a full copy of the user's data: never leave it behind. A failed run keeps
    # its worker.log for the server's administrator.
    (job.directory / "job.json").unlink(missing_ok=True)
    if state != JobState.FAILED:
        shutil.rmtree(job.directory, ignore_errors=True)


def _keep_checkpoint(directory: Path, payload: dict, store):
    """Store the checkpoint a dead worker left in ``directory`` as "<name> (interrupted)", with
    the run's own test split and test metrics; ``None`` when there is no complete checkpoint."""
    from core.batching import split_dataset
    from core.bundle import Bundle
    from core.config import TrainConfig
    from core.evaluate import classification_metrics
    from core.files import recover
    from core.store import fingerprint

    try:
        recover(directory / "checkpoint")  # a worker that died while rewriting it left the last one aside
        zipped = directory / cluster.CHECKPOINT_ZIP
        if zipped.is_file() and not (directory / "checkpoint").exists():
            # a run on Ray sends its checkpoints here as zip bytes (core.cluster): checked, unpacked
            from core.package import unpack_bundle

            unpack_bundle(zipped.read_bytes(), directory / "checkpoint")
        bundle = Bundle.load(directory / "checkpoint")
    except Exception:  # noqa: BLE001 - no checkpoint, or a half-written one: nothing to keep
        return None
    config = TrainConfig.from_dict(payload["train"])
    texts, labels = payload["texts"], payload["labels"]
    split = split_dataset(labels, config.validation_share, config.test_share, config.seed)
    test_texts, test_labels = [texts[i] for i in split.test], [labels[i] for i in split.test]
    if test_texts:
        bundle.metrics["test"] = classification_metrics(test_labels, bundle.predict(test_texts), bundle.labels)
    return store.add(bundle, f"{payload['name']} (interrupted)", payload["dataset_name"], test_texts, test_labels,
                     fingerprint(texts, labels))


def _alive(directory: Path) -> bool:
    """Whether the job in ``directory`` still has a live server that owns it or a live worker
    (psutil, so this holds on Linux, macOS and Windows alike)."""
    import psutil

    for name, marker in (("owner.pid", ""), ("worker.pid", "core.worker")):
        try:
            pid = int((directory / name).read_text())
            if pid != os.getpid() and marker in " ".join(psutil.Process(pid).cmdline()):
                return True
        except (OSError, ValueError, psutil.Error):
            continue
    return False


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def recover(root) -> list[dict]:
    """Settle the runs a dead server left under ``root/jobs``; returns what was done.

    For each job folder that no job of this process owns and whose worker has ended: the model
    the worker stored after the server died (``result.json``), else its checkpoint (stored as
    "<name> (interrupted)"), else nothing; the workspace gets an "interrupted" notice
    (:meth:`core.store.ModelStore.interrupted`) and the folder, a copy of the user's data, is
    deleted. A folder is claimed by renaming it, so two processes never settle the same run.
    """
    from core.store import ModelStore, valid_workspace

    folder = Path(root) / "jobs"
    with _REGISTRY_LOCK:
        owned = {job.directory.resolve() for job in _JOBS.values()}
    settled = []
    for directory in sorted(folder.glob("job-*")) if folder.exists() else []:
        if directory.resolve() in owned or not (directory / "job.json").exists() or _alive(directory):
            continue
        claimed = directory.with_name("recovering-" + directory.name)
        try:
            os.rename(directory, claimed)
        except OSError:
            continue  # another process got there first
        try:
            payload = _read_json(claimed / "job.json")
            workspace = payload.get("workspace")
            if not payload or not valid_workspace(workspace):
                continue
            store = ModelStore(root, workspace)
            progress, result = _read_json(claimed / "progress.json"), _read_json(claimed / "result.json")
            model_id, kept_epoch = result.get("model_id"), None
            if model_id is None:
                kept = _keep_checkpoint(claimed, payload, store)
                if kept is not None:
                    model_id = kept.model_id
                    kept_epoch = store.load(model_id).info.checkpoint_epoch
            job_id = str(payload.get("job_id") or directory.name)
            store.record_interrupted(job_id, payload.get("name", ""), int(progress.get("epoch", 0)),
                                     int(progress.get("epochs", 0)), model_id, kept_epoch)
            settled.append({"job_id": job_id, "workspace": workspace, "model_id": model_id,
                            "kept_epoch": kept_epoch, "epoch": progress.get("epoch", 0)})
        finally:
            shutil.rmtree(claimed, ignore_errors=True)
    return settled


def get_job(job_id: str | None) -> TrainingJob | None:
    """The job with this id in this server process, or ``None``."""
    with _REGISTRY_LOCK:
        return _JOBS.get(job_id) if job_id else None


def active_job(workspace: str) -> TrainingJob | None:
    """The workspace's newest job that has not finished, or ``None``: a reloaded browser tab
    finds its running training again through this."""
    with _REGISTRY_LOCK:
        jobs = [job for job in _JOBS.values() if job.workspace == workspace and job.state in ACTIVE]
    return max(jobs, key=lambda job: job.started, default=None)


def queue_position(job: TrainingJob) -> int:
    """How many runs train or wait before ``job`` (0 when it is running or done)."""
    if job.state != JobState.QUEUED or job.runner != "local":
        return 0  # a run on Ray waits for the cluster, not behind this server's runs
    with _REGISTRY_LOCK:
        return sum(1 for other in _JOBS.values() if other is not job and other.runner == "local" and (
            other.state == JobState.RUNNING or (other.state == JobState.QUEUED and other.started < job.started)))


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
