"""Ray faults beyond one node (issue 26): a cluster of several nodes made on this machine with
``ray.cluster_utils.Cluster`` (the way Ray's own tests make one), in a child process (a process
connects to one Ray cluster at most, and test_cluster.py's local instance is this process's).

* A run placed on a second node whose node is removed mid-run ends "stopped" with the last
  checkpoint stored as "<name> (interrupted)", and the app goes on: the next run trains.
* A batch prediction whose node dies finishes on the node left, with the same answers.
"""

import json
import subprocess
import sys
import textwrap

import pytest

from core.training import cluster
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    not cluster.installed(),
    reason="Ray is not installed: the cluster runner needs 'pip install -r requirements-cluster.txt'")

SCRIPT = textwrap.dedent("""
    import json, os, sys, time, tempfile
    from pathlib import Path
    import numpy as np
    from ray.cluster_utils import Cluster

    # The head holds no CPU: every run and every actor goes to the worker nodes.
    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    far = nodes.add_node(num_cpus=1)
    nodes.wait_for_nodes()
    os.environ["STUDIO_RAY_ADDRESS"] = nodes.address

    from core.training import cluster
    from core.training.jobs import start_training, wait
    from core.store import ModelStore
    from core.text import PreprocessConfig
    from core.training.train import TrainConfig
    from tests.core.conftest import TINY_MODEL, TINY_TRAIN, small_sample

    def until(predicate, timeout=240):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError("timed out")

    out = {}
    store = ModelStore(tempfile.mkdtemp())
    long_run = TrainConfig(epochs=60, batch_size=4, early_stopping_patience=0, seed=7)
    job = start_training(small_sample(rows=300), PreprocessConfig(), TINY_MODEL, long_run, "far", "sms", store)
    until(lambda: (job.directory / cluster.CHECKPOINT_ZIP).exists() and len(job.snapshot().history) >= 2)
    out["placed_on"] = job.snapshot().placement.get("node")
    nodes.remove_node(far)                                   # the node leaves mid-run
    snapshot = wait(job, timeout=240)
    entry, bundle = job.result
    out["first"] = {"state": snapshot.state, "error": snapshot.error, "name": entry.name,
                    "checkpoint_epoch": bundle.info.checkpoint_epoch,
                    "stored": [model.name for model in store.list()]}

    # The app goes on: a node joins, the next run trains there.
    nodes.add_node(num_cpus=1)
    nodes.add_node(num_cpus=1)
    nodes.wait_for_nodes()
    job = start_training(small_sample(rows=300), PreprocessConfig(), TINY_MODEL, TINY_TRAIN, "next", "sms", store)
    out["second"] = wait(job, timeout=240).state

    # A batch prediction over two nodes, one of which leaves after the first chunk.
    texts = (small_sample(rows=400).texts * 5)[:2000]
    local = bundle.predict_proba(texts)
    doomed = [node for node in nodes.worker_nodes][-1]
    calls = []

    def progress(done, total):
        calls.append(done)
        if len(calls) == 1:
            nodes.remove_node(doomed)

    actors_before = int(cluster.connect().available_resources().get("CPU", 0))
    remote = cluster.predict_proba(bundle, texts, progress, chunk=100)
    out["batch"] = {"actors": actors_before, "chunks": len(calls), "same": bool(np.allclose(remote, local, atol=1e-5))}
    print(json.dumps(out), flush=True)
    cluster.connect().shutdown()
    nodes.shutdown()
    os._exit(0)   # the interpreter's own exit can trip over Ray's threads; everything is said above
""")


def test_a_node_leaving_mid_run_or_mid_prediction_loses_nothing(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**__import__("os").environ, "STUDIO_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    first = out["first"]
    assert first["state"] == "stopped" and "Ray worker" in first["error"], first
    assert first["name"] == "far (interrupted)" and first["checkpoint_epoch"] >= 1, first
    assert first["stored"] == ["far (interrupted)"]
    assert out["second"] == "done"
    assert out["batch"]["actors"] == 2 and out["batch"]["chunks"] == 20 and out["batch"]["same"], out["batch"]
