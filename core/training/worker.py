"""The training worker: ``python -m core.training.worker JOB_DIR`` (started by :mod:`core.training.jobs`).

Reads ``JOB_DIR/job.json``, trains, adds the bundle to the model store and prints one JSON
object per line on stdout: ``begin``, ``batch`` (at most 5 a second), ``epoch``, then ``done``
with the model id or ``error`` with the message. Creating ``JOB_DIR/stop`` ends training after
the current batch, keeping the best weights so far.

So that a server crash loses nothing (``core.training.jobs.recover`` reads these after a restart) the worker
also keeps, in ``JOB_DIR``: ``worker.pid``; ``progress.json`` (epoch reached, epochs planned);
``checkpoint/`` — a complete bundle of the best weights so far, rewritten atomically after every
epoch that improved them (``TrainConfig.checkpoint``, on by default); and ``result.json`` once the
model is in the store. If the server process that started it dies, the worker notices within a
batch (its parent changes), stops as if Stop had been pressed and still stores the model.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import time
import traceback
from pathlib import Path

from core.base.errors import UserError
from core.base.files import write_json
from core.store import LOCAL_WORKSPACE, ModelStore, fingerprint
from core.training.job import JobState
from core.training.request import TrainingRequest, run_training
from core.training.train import TrainingCallback

BATCH_REPORT_SECONDS = 0.2


def _emit(event: str, **fields) -> None:
    try:
        sys.stdout.write(json.dumps({"event": event, **fields}, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()
    except (BrokenPipeError, OSError, ValueError):
        pass  # the server that read these lines is gone: keep training into the store anyway


def _gpu_memory() -> dict:
    """``{"gpu_memory_mb": n}``: memory TensorFlow holds on the first GPU now (empty on a CPU)."""
    # lazy: TensorFlow takes ~5 s to load: only the network path pays for it
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
        return {}
    try:
        return {"gpu_memory_mb": round(tf.config.experimental.get_memory_info("GPU:0")["current"] / 2**20, 1)}
    except (ValueError, RuntimeError):
        return {}


class Reporter(TrainingCallback):
    """A run's progress as events, the same for both runners: ``begin``, ``batch`` (at most 5 a
    second) and ``epoch`` (with the GPU's memory) go to :meth:`emit`. Subclasses say where they
    go, where the best weights are kept (``on_best_epoch``) and how Stop is read
    (``should_stop``): the worker below, and a Ray task (:func:`core.training.cluster._reporter`)."""

    def __init__(self):
        self.last = 0.0
        self.epochs = 0

    def emit(self, event: str, **fields) -> None:
        raise NotImplementedError

    def on_train_begin(self, info):
        self.epochs = info.get("epochs", 0)
        self.emit("begin", info=info)

    def on_batch_end(self, epoch, step, steps):
        now = time.monotonic()
        if now - self.last >= BATCH_REPORT_SECONDS or step == steps:
            self.last = now
            self.emit("batch", epoch=epoch, step=step, steps=steps)

    def on_epoch_end(self, epoch, logs):
        self.emit("epoch", epoch=epoch, logs={**logs, **_gpu_memory()})


def reporter_for(stop_file: Path, keep=None) -> Reporter:
    """The worker's progress callback: JSON lines on stdout, a check of ``stop_file`` and of the
    parent process after every batch, ``progress.json`` after every epoch and the checkpoint
    bundle after every better epoch (both in ``stop_file``'s folder). ``keep(bundle, test_texts,
    test_labels)`` stores Automatic's early models and returns their model id (a ``ready`` line
    says so). ``bench/progress.py`` measures what it costs."""
    folder = stop_file.parent
    parent = os.getppid()

    class WorkerReporter(Reporter):
        orphaned = False

        def emit(self, event, **fields):
            _emit(event, **fields)

        def on_epoch_end(self, epoch, logs):
            super().on_epoch_end(epoch, logs)
            write_json(folder / "progress.json", {"epoch": epoch, "epochs": self.epochs})

        def on_best_epoch(self, epoch, make_bundle):
            make_bundle().save(folder / "checkpoint")  # Bundle.save is atomic (staged, renamed)

        def on_model_ready(self, candidate, val_accuracy, make_bundle, test_texts, test_labels):
            if keep is not None:
                model_id = keep(make_bundle(), test_texts, test_labels)
                self.emit("ready", model_id=model_id, candidate=candidate, val_accuracy=round(float(val_accuracy), 4))

        def should_stop(self):
            if os.getppid() != parent:  # the server died: end like Stop, keep the best weights
                self.orphaned = True
            return self.orphaned or stop_file.exists()

    return WorkerReporter()


FULL_DISK = (errno.ENOSPC, errno.EDQUOT)


def train_job(job: dict, reporter, cache=None, emit=None):
    """Train what the job payload ``job`` (:meth:`core.training.request.TrainingRequest.to_payload`
    plus the job's name and store) asks for and return its :class:`core.training.train.TrainResult`:
    :func:`core.training.request.run_training`, the same for the local worker and a Ray task
    (:mod:`core.training.cluster`). ``reporter``: the progress callback; ``cache``: the folder learned
    word vectors are kept in; ``emit(event, **fields)``: where ``vectors`` progress goes (stdout lines
    by default).

    Raises
    ------
    UserError
        Settings or data that cannot train (as :func:`core.training.train.train` does).
    """
    return run_training(TrainingRequest.from_payload(job), reporter, cache, emit or _emit)


def _internal(error: BaseException) -> int:
    """A bug: the traceback to the worker's log, one line to the server."""
    traceback.print_exc()
    _emit("error", message=f"{type(error).__name__}: {error}")
    return 1


def run(job_dir: Path) -> int:
    """Run the job in ``job_dir``; returns the exit code (0 done, 2 user error, 1 bug)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    job = json.loads((job_dir / "job.json").read_text(encoding="utf-8"))
    (job_dir / "worker.pid").write_text(str(os.getpid()))
    early: dict = {}   # Automatic's early model, stored at once and replaced by the final one

    def keep(bundle, test_texts, test_labels) -> str:
        if "model_id" in early:
            return store.replace(early["model_id"], bundle, test_texts, test_labels).model_id
        early["model_id"] = store.add(bundle, job["name"], job["dataset_name"], test_texts, test_labels,
                                      fingerprint(job["texts"], job["labels"])).model_id
        return early["model_id"]

    reporter = reporter_for(job_dir / "stop", keep)
    try:
        store = ModelStore(job["store_root"], job.get("workspace", LOCAL_WORKSPACE))
        result = train_job(job, reporter, store.vectors_cache())
        if "model_id" in early:
            entry = store.replace(early["model_id"], result.bundle, result.test_texts, result.test_labels)
        else:
            entry = store.add(result.bundle, job["name"], job["dataset_name"], result.test_texts, result.test_labels,
                              fingerprint(job["texts"], job["labels"]))
    except (UserError, OSError) as error:
        if isinstance(error, OSError):
            if error.errno not in FULL_DISK:
                return _internal(error)
            # A disk that fills mid-run (a checkpoint, the model itself): said in plain words.
            error = UserError("err.disk_full", path=job["store_root"], reason=error.strerror or str(error))
        _emit("error", key=error.key, params=error.params, message=str(error))
        try:
            write_json(job_dir / "result.json", {"state": JobState.FAILED, "key": error.key, "params": error.params})
        except OSError:
            pass  # the disk is full: the line above already told the server
        return 2
    except Exception as error:
        return _internal(error)
    state = JobState.INTERRUPTED if getattr(reporter, "orphaned", False) else (JobState.STOPPED if result.stopped_early else JobState.DONE)
    write_json(job_dir / "result.json", {"state": state, "model_id": entry.model_id})
    _emit("done", model_id=entry.model_id)
    return 0


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1])))
