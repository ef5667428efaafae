"""Background training jobs: each run trains in its own worker process.

Streamlit reruns a page script on every click and a script run dies when the user moves to
another page, so training cannot live inside it. It cannot live in a thread of the server
either: every rerun of a live page holds Python's GIL (building charts), and Keras's per-batch
Python work then waits for it — training ran 8× slower while a browser watched it. So a job
starts ``python -m core.worker JOB_DIR`` (see :mod:`core.worker`): the worker reads the job
from ``job.json``, trains, saves the bundle to the model store and reports progress as JSON
lines on stdout, which a small monitor thread here folds into the job's state. Nothing is
pickled. Jobs run one at a time per server process (one device); a second one waits.
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
from pathlib import Path

STATES = ("queued", "running", "done", "stopped", "failed")
STOP_FILE = "stop"

_DEVICE_LOCK = threading.Lock()
_JOBS: dict[str, "TrainingJob"] = {}
_REGISTRY_LOCK = threading.Lock()


@dataclass
class JobSnapshot:
    """A consistent copy of a job's progress, safe to render."""

    job_id: str
    state: str
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

    @property
    def finished(self) -> bool:
        return self.state in ("done", "stopped", "failed")

    @property
    def fraction(self) -> float:
        """Share of all planned batches done (0–1)."""
        if self.state in ("done", "stopped"):
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
    state: str = "queued"
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
    result: object = None  # (ModelEntry, Bundle) once done

    def __post_init__(self):
        self._lock = threading.Lock()
        self._stop_requested = False

    def stop(self) -> None:
        """Ask the run to end after the current batch; the best weights so far are kept."""
        self._stop_requested = True
        (self.directory / STOP_FILE).touch()

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            end = self.finished_at or time.time()
            return JobSnapshot(self.job_id, self.state, self.epoch, self.epochs, self.step, self.steps,
                               [dict(row) for row in self.history], dict(self.info), self.error,
                               self.error_key, dict(self.error_params), self.model_id, end - self.started)

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
            elif kind == "done":
                self.model_id = event["model_id"]
            elif kind == "error":
                self.error, self.error_key, self.error_params = event["message"], event.get("key"), event.get("params", {})


def start_training(dataset, preprocess, model_config, train_config, name: str, dataset_name: str,
                   store, kind: str = "keras") -> TrainingJob:
    """Train in a worker process and add the result to ``store``.

    Returns at once. The finished job's ``result`` is ``(ModelEntry, Bundle)``: the stored
    entry and the bundle loaded back, so the app can use it without another load. ``kind``
    ``"tfidf"`` trains TF-IDF + logistic regression instead of the network (``model_config``
    is then ignored).

    Raises
    ------
    UserError
        At once, before any training, when the store's workspace is full.
    """
    store.check_room()
    directory = Path(tempfile.mkdtemp(prefix="job-", dir=_jobs_dir(store)))
    job = TrainingJob(name=name, directory=directory, workspace=getattr(store, "workspace", ""))
    payload = {
        "texts": dataset.texts, "labels": dataset.labels,
        "text_column": dataset.text_column, "text_columns": dataset.text_columns,
        "label_column": dataset.label_column,
        "preprocess": preprocess.to_dict(), "model": model_config.to_dict(), "train": train_config.to_dict(),
        "name": name, "dataset_name": dataset_name, "store_root": str(Path(store.root).resolve()),
        "workspace": store.workspace, "kind": kind,
    }
    (directory / "job.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    with _REGISTRY_LOCK:
        _JOBS[job.job_id] = job
    threading.Thread(target=_monitor, args=(job, store), name=f"train-{job.job_id}", daemon=True).start()
    return job


def _jobs_dir(store) -> Path:
    path = Path(store.root) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _monitor(job: TrainingJob, store) -> None:
    with _DEVICE_LOCK:
        with job._lock:
            job.state, job.started = "running", time.time()
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
        state, result = "failed", None
        if job.model_id:
            try:
                result = (store.entry(job.model_id), store.load(job.model_id))
                state = "stopped" if job._stop_requested else "done"
            except Exception as error:  # the stored bundle is unreadable: say so
                job.error = f"{type(error).__name__}: {error}"
        elif job.error is None:
            job.error = f"the training process ended unexpectedly (exit code {code}); see {job.directory}/worker.log"
        with job._lock:
            job.result, job.state, job.finished_at = result, state, time.time()
        # job.json is a full copy of the user's data: never leave it behind. A failed run keeps
        # its worker.log for the server's administrator.
        (job.directory / "job.json").unlink(missing_ok=True)
        if state != "failed":
            shutil.rmtree(job.directory, ignore_errors=True)


def get_job(job_id: str | None) -> TrainingJob | None:
    """The job with this id in this server process, or ``None``."""
    with _REGISTRY_LOCK:
        return _JOBS.get(job_id) if job_id else None


def active_job(workspace: str) -> TrainingJob | None:
    """The workspace's newest job that has not finished, or ``None``: a reloaded browser tab
    finds its running training again through this."""
    with _REGISTRY_LOCK:
        jobs = [job for job in _JOBS.values() if job.workspace == workspace and job.state in ("queued", "running")]
    return max(jobs, key=lambda job: job.started, default=None)


def queue_position(job: TrainingJob) -> int:
    """How many runs train or wait before ``job`` (0 when it is running or done)."""
    if job.state != "queued":
        return 0
    with _REGISTRY_LOCK:
        return sum(1 for other in _JOBS.values() if other is not job and (
            other.state == "running" or (other.state == "queued" and other.started < job.started)))


def speed(snapshot: JobSnapshot) -> dict:
    """Training examples per second so far and the seconds left for the planned epochs
    (``None`` before the first batches). Early stopping may end the run sooner.

    Examples
    --------
    >>> s = JobSnapshot("j", "running", 2, 4, 50, 100, [], {"train": 3200}, None, None, {}, None, 30.0)
    >>> speed(s)
    {'examples_per_s': 160.0, 'seconds_left': 50.0}
    """
    examples = snapshot.info.get("train")
    if snapshot.state != "running" or not examples or not snapshot.steps or snapshot.elapsed <= 0:
        return {"examples_per_s": None, "seconds_left": None}
    done_steps = max(0, snapshot.epoch - 1) * snapshot.steps + snapshot.step
    if not done_steps:
        return {"examples_per_s": None, "seconds_left": None}
    per_step = examples / snapshot.steps
    rate = done_steps * per_step / snapshot.elapsed
    left = (snapshot.epochs * snapshot.steps - done_steps) * per_step / rate
    return {"examples_per_s": round(rate, 1), "seconds_left": round(left, 1)}


def wait(job: TrainingJob, timeout: float = 600.0, poll: float = 0.1) -> JobSnapshot:
    """Block until ``job`` has finished (for scripts and tests); returns its last snapshot."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        snapshot = job.snapshot()
        if snapshot.finished:
            return snapshot
        time.sleep(poll)
    raise TimeoutError(f"job {job.job_id} still {job.state} after {timeout} s")
