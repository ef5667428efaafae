"""Ray: training runs and big batch predictions on a cluster, the second job runner (issue 20).

The local runner (:mod:`core.training.jobs`: one worker process per run, one run at a time per server)
stays the default. With ``STUDIO_RAY_ADDRESS`` set, the app connects to Ray once per process
(:func:`connect`: ``local`` starts a Ray instance on this machine; anything else, e.g. ``auto`` or
``ray://head:10001``, goes to ``ray.init(address=...)``) and then:

- each training run is a Ray task (:func:`start`) asking for one GPU when the cluster has GPUs,
  else one CPU. The user's data goes to it through Ray's object store; the task trains with the
  very code of the local worker (:func:`core.training.worker.train_job`), sends its progress, and the
  best weights so far after every better epoch, to a small :class:`RunControl` actor on the
  app's node, polls that actor for Stop, and returns the finished bundle as zip bytes. The app
  checks those bytes like an uploaded bundle (:func:`core.models.package.unpack_bundle`: Keras safe
  mode) and adds the model to its store as the local runner does: no disk is shared. Until Ray
  places the task the run waits (``queued``); a dead worker or node ends it as the local runner
  ends a dead worker process: "stopped", with the last checkpoint stored as "<name>
  (interrupted)".
- :func:`predict_proba` splits a big file's texts into chunks over one actor per free CPU (or GPU)
  of the cluster, each holding the model once; :func:`core.service.batch.predict_table` uses it for
  files of at least :func:`batch_rows` texts, with the same output, in the same order.

Ray pickles what travels between its processes: our own lists of strings, numbers and zip bytes,
never a file a user uploaded. Ray is optional (``requirements-cluster.txt``); nothing here
imports it before it is asked for.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import socket
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import numpy as np

from core.base.deployment import BY_NAME, value
from core.base.errors import UserError
from core.base.files import write_bytes, write_json
from core.models.package import folder_zip, unpack_bundle
from core.store import ModelStore, fingerprint
from core.training.job import CHECKPOINT_ZIP, JobState, settle
from core.training.request import TrainingRequest
from core.training.train import device_info
from core.training.worker import Reporter, train_job

ADDRESS_ENV = "STUDIO_RAY_ADDRESS"
BATCH_ROWS_ENV = "STUDIO_RAY_BATCH_ROWS"
DEFAULT_BATCH_ROWS = BY_NAME[BATCH_ROWS_ENV].default   # files with fewer texts predict in the app's own process
CHUNK_ROWS = 4096 * 5             # texts per batch-prediction task (a multiple of core.service.batch.CHUNK)
POLL_SECONDS = 0.2                # how often the app reads a run's progress, the run reads Stop

_CONNECT_LOCK = threading.Lock()


def address() -> str | None:
    """The Ray address the app was started with (``$STUDIO_RAY_ADDRESS``), or ``None``: the
    local runner."""
    return value(ADDRESS_ENV)


def installed() -> bool:
    """Whether Ray can be imported here (``pip install -r requirements-cluster.txt``)."""
    return importlib.util.find_spec("ray") is not None


def enabled() -> bool:
    """Whether runs go to Ray: ``$STUDIO_RAY_ADDRESS`` is set."""
    return address() is not None


def batch_rows() -> int:
    """From how many texts a batch prediction goes to Ray (``$STUDIO_RAY_BATCH_ROWS``, default
    100,000)."""
    return value(BATCH_ROWS_ENV)


def connect():
    """Connect this process to Ray once and return the ``ray`` module.

    Raises
    ------
    UserError
        ``err.ray_missing`` when Ray is not installed, ``err.ray_connect`` when the cluster at
        ``$STUDIO_RAY_ADDRESS`` cannot be reached.
    """
    where = address() or "local"
    if not installed():
        raise UserError("err.ray_missing", address=where)
    # lazy: Ray is optional (requirements-cluster.txt) and slow to load
    import ray

    with _CONNECT_LOCK:
        if ray.is_initialized():
            return ray
        options = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
        if where == "local":
            # This machine only: the node announces itself on the loopback address, so its
            # processes reach each other there. (Ray 2.60's gRPC servers still listen on every
            # interface whatever is asked: README "Security" says how to fence their ports.)
            options["_node_ip_address"] = LOCAL_NODE_IP
            # "local" starts a new instance; without an address Ray would first try the last
            # cluster it recorded (/tmp/ray/ray_current_cluster) and wait on it when it is gone.
            options["address"] = "local"
        else:
            # Workers on other machines get this package from the object store, not a shared disk.
            import core

            options.update(address=where, runtime_env={"py_modules": [core]})
        try:
            _init_in_lasting_thread(ray, options)
        except (ConnectionError, RuntimeError, ValueError, TimeoutError) as error:
            raise UserError("err.ray_connect", address=where, detail=str(error).splitlines()[0][:200]) from None
    return ray


LOCAL_NODE_IP = "127.0.0.1"


def _init_in_lasting_thread(ray, options: dict) -> None:
    """``ray.init(**options)`` in a thread that lives as long as the process. A local Ray
    instance's processes (GCS, raylet) are told to die with the *thread* that started them
    (Linux's PR_SET_PDEATHSIG), and Streamlit runs each page script in a thread that soon ends:
    started there, the instance died seconds later and took the app down with it."""
    outcome: dict = {}
    ready = threading.Event()

    def keeper():
        try:
            ray.init(**options)
        except BaseException as error:
            outcome["error"] = error
        finally:
            ready.set()
        if "error" not in outcome:
            threading.Event().wait()   # never returns: this thread is the instance's parent

    threading.Thread(target=keeper, name="ray-keeper", daemon=True).start()
    ready.wait()
    if "error" in outcome:
        raise outcome["error"]


def describe() -> dict:
    """The cluster in a few figures: ``{"address", "nodes", "cpus", "gpus"}``."""
    ray = connect()
    resources = ray.cluster_resources()
    return {"address": address() or "local", "nodes": sum(1 for node in ray.nodes() if node.get("Alive")),
            "cpus": int(resources.get("CPU", 0)), "gpus": int(resources.get("GPU", 0))}


def folder_bytes(folder) -> bytes:
    """A bundle folder as zip bytes, to travel through Ray's object store (stored, not
    compressed: weights hardly compress); :func:`core.models.package.unpack_bundle` checks and unpacks
    them."""

    return folder_zip(folder, compression=zipfile.ZIP_STORED)


def bundle_bytes(bundle) -> bytes:
    """A loaded bundle as :func:`folder_bytes` (saved to a temporary folder first)."""
    folder = Path(tempfile.mkdtemp(prefix="studio-bundle-"))
    try:
        bundle.save(folder / "bundle")
        return folder_bytes(folder / "bundle")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- training runs

@functools.cache
def _control_class():
    # lazy: Ray is optional (requirements-cluster.txt) and slow to load
    import ray

    @ray.remote(num_cpus=0, max_restarts=0)
    class RunControl:
        """Between a run's task and the app: the task's progress events queue here, the app
        takes them, and Stop is a flag the task reads."""

        def __init__(self):
            self.events, self.stop = [], False

        def put(self, events):
            self.events.extend(events)

        def take(self):
            events, self.events = self.events, []
            return events

        def request_stop(self):
            self.stop = True

        def stopping(self):
            return self.stop

    return RunControl


def _reporter(control):
    """The progress callback of a run on Ray (:class:`core.training.worker.Reporter`): events to
    ``control``, the checkpoint bundle's bytes after every better epoch, Stop read from
    ``control`` at most 5 times a second."""
    # lazy: Ray is optional (requirements-cluster.txt) and slow to load
    import ray


    class RayReporter(Reporter):
        last_check = 0.0
        stop = False

        def emit(self, event, **fields):
            control.put.remote([{"event": event, **fields}])  # in order: one caller, one actor

        def on_best_epoch(self, epoch, make_bundle):
            self.emit("checkpoint", epoch=epoch, data=bundle_bytes(make_bundle()))

        def should_stop(self):
            now = time.monotonic()
            if not self.stop and now - self.last_check >= POLL_SECONDS:
                self.last_check = now
                self.stop = bool(ray.get(control.stopping.remote()))
            return self.stop

    return RayReporter()


def _place() -> dict:
    """Where this task runs: node address, host name and the device TensorFlow trains on."""
    # lazy: Ray is optional (requirements-cluster.txt) and slow to load
    import ray


    device = device_info()
    return {"node": ray.util.get_node_ip_address(), "host": socket.gethostname(),
            "node_id": ray.get_runtime_context().get_node_id(), "pid": os.getpid(),
            "device": device["name"] if device["kind"] == "GPU" else f"CPU ({device.get('cores', 1)} cores)",
            "kind": device["kind"]}


def _train_task(payload: dict, control) -> dict:
    """The Ray task of one run (see the module's docstring); returns ``{"state", "bundle",
    "test_texts", "test_labels"}`` or ``{"state": "failed", "key", "params", "message"}``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # lazy: Ray is optional (requirements-cluster.txt) and slow to load
    import ray


    reporter = _reporter(control)
    reporter.emit("placed", **_place())
    # Learned word vectors are kept in the workspace when its folder is on this node (local
    # Ray, a shared disk), else in this node's temporary folder.
    store_root = Path(payload["store_root"])
    cache = (ModelStore(store_root, payload["workspace"]).vectors_cache() if store_root.is_dir()
             else Path(tempfile.gettempdir()) / "studio-vectors")
    try:
        vectors = TrainingRequest.from_payload(payload).vectors
        if vectors.kind == "file" and not Path(str(vectors.path)).is_file():
            raise UserError("err.ray_vectors_missing", path=vectors.path, node=socket.gethostname())
        result = train_job(payload, reporter, cache, reporter.emit)
    except UserError as error:
        return {"state": JobState.FAILED, "key": error.key, "params": error.params, "message": str(error)}
    finally:
        ray.get(control.put.remote([]))   # every event sent is in the actor before the result is
    return {"state": JobState.STOPPED if result.stopped_early else JobState.DONE, "bundle": bundle_bytes(result.bundle),
            "test_texts": list(result.test_texts), "test_labels": list(result.test_labels)}


@functools.cache
def _remote_task():
    # lazy: Ray is optional (requirements-cluster.txt) and slow to load
    import ray

    return ray.remote(_train_task)


def start(job, payload: dict, store) -> None:
    """Run ``job`` (a :class:`core.training.jobs.TrainingJob` whose folder holds ``job.json``) on Ray;
    returns at once. A thread follows it and settles it like the local runner's monitor."""
    threading.Thread(target=_follow, args=(job, payload, store), name=f"ray-{job.job_id}", daemon=True).start()


def _follow(job, payload: dict, store) -> None:
    try:
        ray = connect()
        control = _control_class().options(scheduling_strategy=_here(ray)).remote()
        gpus = 1 if ray.cluster_resources().get("GPU", 0) >= 1 else 0
        task = _remote_task().options(num_cpus=1, num_gpus=gpus, max_retries=0, retry_exceptions=False,
                                               name=f"train {job.name}"[:100])
        ref = task.remote(ray.put(payload), control)
    except Exception as error:   # the cluster cannot be reached or refuses the task: said, nothing kept
        job.fail_with(error)
        return settle(job, store, "")
    try:
        outcome, crash = _watch(ray, job, ref, control)
    except Exception as error:
        outcome, crash = None, f"the Ray cluster stopped answering ({type(error).__name__}: {str(error)[:200]})"
    if outcome and outcome["state"] == JobState.FAILED:
        job.fail(outcome["message"], outcome["key"], outcome["params"])
    elif outcome:
        try:
            _store_result(job, payload, store, outcome)
        except UserError as error:
            job.fail_with(error)
    settle(job, store, crash or "")


def _watch(ray, job, ref, control):
    """Apply the run's events to ``job`` until its task ends; returns ``(outcome, crash)``: the
    task's result (``None`` when it has none) and, when its worker or node died, what to say."""
    stop_sent, placed, crash = False, False, None
    while True:
        if job.stop_requested and not stop_sent:
            if not placed:  # still waiting for the cluster: nothing to keep, cancel it
                ray.cancel(ref, force=False)
            control.request_stop.remote()
            stop_sent = True
        ready, _ = ray.wait([ref], timeout=POLL_SECONDS)
        try:
            events = ray.get(control.take.remote(), timeout=30)
        except ray.exceptions.RayError:
            events = []
        for event in events:
            if event["event"] == "placed":
                placed = True
                job.start_running()
                job.apply(event)
            elif event["event"] == "checkpoint":
                write_bytes(job.directory / CHECKPOINT_ZIP, event["data"])
            else:
                job.apply(event)
                if event["event"] == "epoch":
                    write_json(job.directory / "progress.json", {"epoch": event["epoch"], "epochs": job.epochs})
        if ready:
            break
    try:
        outcome = ray.get(ref)
    except ray.exceptions.TaskCancelledError:
        job.fail("cancelled", "err.ray_cancelled")
        outcome = None
    except ray.exceptions.RayTaskError as error:  # a bug in training: said, nothing kept
        cause = getattr(error, "cause", None) or error
        job.fail_with(cause)
        outcome = None
    except ray.exceptions.RayError as error:  # the worker or its node died: keep the checkpoint
        outcome, crash = None, f"the Ray worker training it ended unexpectedly ({type(error).__name__}); " \
                               f"{str(error).splitlines()[0][:200]}"
    finally:
        ray.kill(control, no_restart=True)
    return outcome, crash


def _store_result(job, payload: dict, store, outcome: dict) -> None:
    staging = Path(tempfile.mkdtemp(prefix="ray-result-", dir=job.directory))
    try:
        bundle = unpack_bundle(outcome["bundle"], staging / "bundle")
        entry = store.add(bundle, payload["name"], payload["dataset_name"], outcome["test_texts"],
                          outcome["test_labels"], fingerprint(payload["texts"], payload["labels"]))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    job.apply({"event": "done", "model_id": entry.model_id})
    if outcome["state"] == JobState.STOPPED:
        job.ended_early()  # ended early (Stop, early stopping): shown as "stopped" like locally


def _here(ray):
    """Keep a run's control actor on the app's own node (it dies with the app anyway)."""
    # lazy: Ray is optional (requirements-cluster.txt) and slow to load
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    try:
        return NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=True)
    except Exception:
        return "DEFAULT"


# ---------------------------------------------------------------- batch predictions

@functools.cache
def _predictor_class():
    # lazy: Ray is optional (requirements-cluster.txt) and slow to load
    import ray

    @ray.remote(max_restarts=0)
    class Predictor:
        """Holds one model (sent once as bundle zip bytes) and predicts chunks of texts."""

        def __init__(self, data: bytes):
            self.folder = Path(tempfile.mkdtemp(prefix="studio-predictor-"))
            self.bundle = unpack_bundle(data, self.folder / "bundle")

        def predict(self, texts):
            return self.bundle.predict_proba(texts)

    return Predictor


def predict_proba(bundle, texts, progress=None, chunk: int | None = None):
    """Class probabilities of ``texts`` (a list) computed on the Ray cluster: chunks of
    ``chunk`` texts over one actor per free CPU (per free GPU when the cluster has GPUs), in the
    order of ``texts``; ``progress(done, total)`` after each chunk, in order."""
    ray = connect()
    chunk = chunk or CHUNK_ROWS
    chunks = [texts[start:start + chunk] for start in range(0, len(texts), chunk)]
    if not chunks:
        return np.zeros((0, len(bundle.labels)), dtype=np.float32)
    # As many actors as the cluster has free GPUs (else CPUs) now: chunks go to actors in turn,
    # and one that Ray cannot place yet (its CPUs busy training) would hold its chunks back.
    free = ray.available_resources()
    gpus = int(ray.cluster_resources().get("GPU", 0))
    count = max(1, min(len(chunks), int(free.get("GPU", 0)) if gpus else int(free.get("CPU", 1))))
    data = ray.put(bundle_bytes(bundle))
    predictor = _predictor_class().options(num_cpus=0 if gpus else 1, num_gpus=1 if gpus else 0)
    actors = [predictor.remote(data) for _ in range(count)]
    try:
        pending = {}
        for index, texts_chunk in enumerate(chunks):  # round-robin, each actor works in order
            pending[index] = (actors[index % count], actors[index % count].predict.remote(texts_chunk))
        results, done = [], 0
        for index in range(len(chunks)):
            results.append(_chunk_result(ray, actors, *pending[index], chunks[index]))
            done += len(chunks[index])
            if progress is not None:
                progress(done, len(texts))
        return np.concatenate(results)
    finally:
        for actor in actors:
            ray.kill(actor, no_restart=True)


def _chunk_result(ray, actors: list, actor, reference, texts):
    """One chunk's probabilities. When its actor died (its worker killed, its node gone), the
    chunk goes again to each actor still alive in turn; when none is left, the prediction fails
    with a message (and no output file is written: the caller writes only a finished table)."""
    lost = (ray.exceptions.RayActorError, ray.exceptions.ObjectLostError)
    try:
        return ray.get(reference)
    except lost:
        if actor in actors:
            actors.remove(actor)
    while actors:
        survivor = actors[0]
        try:
            return ray.get(survivor.predict.remote(texts))
        except lost:
            actors.remove(survivor)
    raise UserError("err.ray_batch_lost")
