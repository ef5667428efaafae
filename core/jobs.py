"""Background training jobs: train in a thread while the page polls a snapshot.

Streamlit reruns a page script on every click, and a script run dies when the user moves to
another page, so training cannot live inside it. A :class:`TrainingJob` runs
:func:`core.train.train` in a daemon thread, saves the bundle to the model store and records
progress that any page can read with :meth:`TrainingJob.snapshot`. Jobs run one at a time per
process (one device); a second job waits for the first.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field

from core.errors import UserError
from core.train import TrainingCallback

_DEVICE_LOCK = threading.Lock()
_JOBS: dict[str, "TrainingJob"] = {}
_REGISTRY_LOCK = threading.Lock()

STATES = ("queued", "running", "done", "stopped", "failed")


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
        return min(1.0, ((self.epoch - 1) * self.steps + self.step) / (self.epochs * self.steps))


@dataclass
class TrainingJob(TrainingCallback):
    """One training run. Create it with :func:`start_job`."""

    name: str
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
    result: object = None

    def __post_init__(self):
        self._lock = threading.Lock()
        self._stop = threading.Event()

    # TrainingCallback hooks, called from the training thread.
    def on_train_begin(self, info):
        with self._lock:
            self.info, self.epochs, self.steps = info, info["epochs"], info["steps"]

    def on_batch_end(self, epoch, step, steps):
        with self._lock:
            self.epoch, self.step, self.steps = epoch, step, steps

    def on_epoch_end(self, epoch, logs):
        with self._lock:
            self.history.append({"epoch": epoch, **logs})

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def stop(self) -> None:
        """Ask the run to end after the current batch; the best weights so far are kept."""
        self._stop.set()

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            end = self.finished_at or time.time()
            return JobSnapshot(self.job_id, self.state, self.epoch, self.epochs, self.step, self.steps,
                               [dict(row) for row in self.history], dict(self.info), self.error,
                               self.error_key, dict(self.error_params), self.model_id, end - self.started)


def start_job(name: str, work) -> TrainingJob:
    """Run ``work(job)`` in a background thread, after any job already using the device.

    ``work`` trains with ``job`` as its callback and returns the stored model's id.
    """
    job = TrainingJob(name=name)
    with _REGISTRY_LOCK:
        _JOBS[job.job_id] = job

    def run():
        with _DEVICE_LOCK:
            with job._lock:
                job.state = "running"
                job.started = time.time()
            try:
                model_id = work(job)
                with job._lock:
                    job.model_id = model_id
                    job.state = "stopped" if job.should_stop() else "done"
            except UserError as error:
                with job._lock:
                    job.state, job.error = "failed", str(error)
                    job.error_key, job.error_params = error.key, error.params
            except Exception as error:  # a bug: keep the app alive, log the details
                traceback.print_exc()
                with job._lock:
                    job.state, job.error = "failed", f"{type(error).__name__}: {error}"
            finally:
                with job._lock:
                    job.finished_at = time.time()
                _release_keras_memory()

    threading.Thread(target=run, name=f"train-{job.job_id}", daemon=True).start()
    return job


def _release_keras_memory():
    import gc

    gc.collect()


def get_job(job_id: str | None) -> TrainingJob | None:
    """The job with this id in this server process, or ``None``."""
    with _REGISTRY_LOCK:
        return _JOBS.get(job_id) if job_id else None


def wait(job: TrainingJob, timeout: float = 600.0, poll: float = 0.1) -> JobSnapshot:
    """Block until ``job`` has finished (for the CLI and tests); returns its last snapshot."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        snapshot = job.snapshot()
        if snapshot.finished:
            return snapshot
        time.sleep(poll)
    raise TimeoutError(f"job {job.job_id} still {job.state} after {timeout} s")


def start_training(dataset, preprocess, model_config, train_config, name: str, dataset_name: str,
                   store) -> TrainingJob:
    """Train in the background and add the result to ``store``.

    The finished job's ``result`` is ``(ModelEntry, Bundle)``: the stored entry and the model
    kept in memory, so the app can use it without loading it back from disk.
    """
    from core.train import train

    def work(job: TrainingJob) -> str:
        result = train(dataset, preprocess, model_config, train_config, job)
        entry = store.add(result.bundle, name, dataset_name, result.test_texts, result.test_labels)
        job.result = (entry, result.bundle)
        return entry.model_id

    return start_job(name, work)
