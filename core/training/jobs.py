"""Background training jobs: each run trains in its own worker process.

Streamlit reruns a page script on every click and a script run dies when the user moves to
another page, so training cannot live inside it. It cannot live in a thread of the server
either: every rerun of a live page holds Python's GIL (building charts), and Keras's per-batch
Python work then waits for it — training ran 8× slower while a browser watched it. So a job
starts ``python -m core.training.worker JOB_DIR`` (see :mod:`core.training.worker`): the worker reads the job
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
from pathlib import Path

import psutil

from core.base.errors import UserError
from core.store import ModelStore, storage_errors, valid_workspace
from core.text import MAX_LENGTH_CAP
from core.training import cluster
from core.training.job import (  # noqa: F401
    ACTIVE,
    FINISHED,
    STOP_FILE,
    JobSnapshot,
    JobState,
    TrainingJob,
    _keep_checkpoint,
    phase,
    settle,
    speed,
    wait,
)
from core.training.memory import check_run
from core.training.request import TrainingRequest, VectorsSource

KEEP_FINISHED_S = 3600  # finished jobs stay findable (a reloaded tab) for an hour

_DEVICE_LOCK = threading.Lock()
_JOBS: dict[str, TrainingJob] = {}
_REGISTRY_LOCK = threading.Lock()


def start_training(dataset, preprocess, model_config, train_config, name: str, dataset_name: str,
                   store, kind: str = "keras", vectors: str | None = None, unlabelled=()) -> TrainingJob:
    """Train in a worker process and add the result to ``store``.

    Returns at once. The finished job's ``result`` is ``(ModelEntry, Bundle)``: the stored
    entry and the bundle loaded back, so the app can use it without another load. ``kind``
    ``"tfidf"`` trains the linear models instead of the network and keeps the best
    (``model_config`` is then ignored); ``"auto"`` trains the linear models, the network and
    its blend with the best linear one and keeps the best (:func:`core.training.train.train_auto`):
    its early linear model is stored at once (the snapshot's ``ready``) and the final model
    replaces it under the same id. ``vectors``: ``"learn"`` (from the labelled texts and
    ``unlabelled``, kept in the workspace's cache) or the path of a vectors file for the network
    to start from; ``None``: none.

    Raises
    ------
    UserError
        At once, before any training: settings that cannot work (:func:`core.training.memory.check_run`:
        a batch larger than the training rows, more memory than is free), a workspace that is
        full or cannot be written, or one that already has a run queued or training
        (``err.job_running``).
    """
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
    request = TrainingRequest(dataset, preprocess, kind, model_config, train_config, VectorsSource.parse(vectors),
                              tuple(unlabelled))
    payload = {"job_id": job.job_id, **request.to_payload(), "name": name, "dataset_name": dataset_name,
               "store_root": str(Path(store.root).resolve()), "workspace": store.workspace}
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
        job.start_running()
        if job.stop_requested:
            (job.directory / STOP_FILE).touch()
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3")}
        with open(job.directory / "worker.log", "wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "core.training.worker", str(job.directory)],
                                       stdout=subprocess.PIPE, stderr=log, env=env,
                                       cwd=Path(__file__).resolve().parents[2])   # the checkout: python -m core.training.worker
            assert process.stdout is not None   # stdout=PIPE
            for line in process.stdout:
                try:
                    job.apply(json.loads(line))
                except (json.JSONDecodeError, KeyError):
                    continue  # a stray print from a library, not a progress line
            code = process.wait()
        settle(job, store, f"the training process ended unexpectedly (exit code {code}); see {job.directory}/worker.log")


def _alive(directory: Path) -> bool:
    """Whether the job in ``directory`` still has a live server that owns it or a live worker
    (psutil, so this holds on Linux, macOS and Windows alike)."""
    for name, marker in (("owner.pid", ""), ("worker.pid", "core.training.worker")):
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
            if not payload or not isinstance(workspace, str) or not valid_workspace(workspace):
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


