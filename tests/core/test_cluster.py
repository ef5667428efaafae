"""The Ray runner (core.training.cluster) on a local Ray instance started by these tests: a training run
end to end (placement, progress per batch, Stop, stored bundle, a reloaded tab finding it), a
killed Ray worker (the checkpoint kept), a batch prediction through Ray equal to the local one, and
the prediction service as a Ray Serve deployment."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from core.base.errors import UserError
from core.store import ModelStore, new_workspace_id
from core.text import PreprocessConfig
from core.training import cluster
from core.training.jobs import active_job, get_job, start_training, wait
from core.training.train import TrainConfig
from tests.conftest import assert_usable
from tests.core.conftest import TINY_MODEL, small_sample

pytestmark = pytest.mark.skipif(
    not cluster.installed(),
    reason="Ray is not installed: the cluster runner needs 'pip install -r requirements-cluster.txt'")

LONG_RUN = TrainConfig(epochs=60, batch_size=4, early_stopping_patience=0, seed=7)


@pytest.fixture(scope="module")
def local_ray():
    """``STUDIO_RAY_ADDRESS=local`` for this module, and the Ray instance it starts shut down after."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(cluster.ADDRESS_ENV, "local")
        ray = cluster.connect()
        yield ray
        ray.shutdown()


def _until(predicate, timeout=120.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    raise AssertionError("timed out")


def _hog(ray):
    """An actor holding every CPU of the instance, so that Ray cannot place a run yet."""
    @ray.remote(num_cpus=int(ray.cluster_resources()["CPU"]))
    class Hog:
        def ready(self):
            return True

    hog = Hog.remote()
    ray.get(hog.ready.remote())
    return hog


def test_a_run_on_ray_waits_trains_reports_stops_and_is_stored(local_ray, tmp_path):
    workspace = new_workspace_id(tmp_path)
    store = ModelStore(tmp_path, workspace)
    hog = _hog(local_ray)
    job = start_training(small_sample(rows=300), PreprocessConfig(), TINY_MODEL, LONG_RUN, "on ray", "sms", store)
    assert job.runner == "ray"
    time.sleep(2)
    assert job.snapshot().state == "queued" and not job.snapshot().placement   # the waiting place
    local_ray.kill(hog)
    steps_seen = set()

    def second_epoch():
        snapshot = job.snapshot()
        steps_seen.add((snapshot.step, snapshot.steps))
        return len(snapshot.history) >= 2 or snapshot.finished

    _until(second_epoch)
    snapshot = job.snapshot()
    assert snapshot.state == "running", snapshot.error
    assert snapshot.placement["kind"] == "CPU" and snapshot.placement["node"] and snapshot.placement["device"]
    assert snapshot.placement["pid"] != os.getpid()          # it trains in a Ray worker, not here
    assert any(0 < step < steps for step, steps in steps_seen), steps_seen   # progress within an epoch
    assert 0 < snapshot.fraction < 1
    assert active_job(workspace) is job                        # a reloaded tab finds its run
    with pytest.raises(UserError, match="on ray"):            # one run per workspace
        start_training(small_sample(rows=300), PreprocessConfig(), TINY_MODEL, LONG_RUN, "second", "sms", store)
    job.stop()
    snapshot = wait(job, timeout=120)
    assert snapshot.state == "stopped", snapshot.error
    assert 2 <= len(snapshot.history) < LONG_RUN.epochs
    entry, bundle = job.result
    assert [model.name for model in store.list()] == ["on ray"]
    assert store.load(entry.model_id).predict(["WINNER!! claim your free prize now"]) == bundle.predict(
        ["WINNER!! claim your free prize now"])
    assert not job.directory.exists()                         # the copy of the data is gone


def test_stop_before_the_cluster_places_a_run_cancels_it(local_ray, tmp_path):
    hog = _hog(local_ray)
    try:
        job = start_training(small_sample(rows=300), PreprocessConfig(), TINY_MODEL, LONG_RUN, "never", "sms",
                             ModelStore(tmp_path))
        time.sleep(0.5)
        job.stop()
        snapshot = wait(job, timeout=60)
    finally:
        local_ray.kill(hog)
    assert snapshot.state == "failed" and snapshot.error_key == "err.ray_cancelled"
    assert ModelStore(tmp_path).list() == []


def test_the_train_page_says_where_a_ray_run_trains_and_a_reloaded_tab_stops_it(local_ray, monkeypatch, tmp_path):
    from tests.pages.conftest import APP, AppTest, load_sample, new_app, texts

    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path))
    app = load_sample(new_app())
    app.switch_page("pages/train.py").run()
    assert "Training on: the Ray cluster at local (1 node(s), 2 CPUs, 0 GPUs)" in texts(app.caption)
    app.radio(key="train_kind").set_value("keras").run()
    app.segmented_control(key="train_preset").set_value("fast").run()
    app.number_input(key="train_epochs").set_value(60)
    app.toggle(key="train_early_stopping").set_value(False)
    app.text_input(key="train_name").input("cluster run")
    app.button(key="train_start").click().run()
    job = get_job(app.session_state["job_id"])
    assert job.runner == "ray"
    _until(lambda: job.snapshot().epoch >= 1 or job.snapshot().finished)
    app.run()
    where = f"Training on the Ray cluster: node {job.snapshot().placement['node']}"
    assert where in texts(app.caption) and "CPU (" in texts(app.caption)
    again = AppTest.from_file(APP, default_timeout=120)            # a reloaded tab: same ?ws=
    again.query_params["ws"] = app.session_state["workspace"]
    again.run()
    again.switch_page("pages/train.py").run()
    assert "Training “cluster run”" in [header.value for header in again.subheader]
    again.button(key="train_stop").click().run()
    assert wait(job, timeout=120).state == "stopped"
    again.run()
    assert "Stopped after" in texts(again.success)


def test_a_killed_ray_worker_ends_the_run_with_its_checkpoint_kept(local_ray, tmp_path):
    store = ModelStore(tmp_path)
    job = start_training(small_sample(rows=300), PreprocessConfig(), TINY_MODEL, LONG_RUN, "doomed", "sms", store)
    _until(lambda: (job.directory / cluster.CHECKPOINT_ZIP).exists() and len(job.snapshot().history) >= 2)
    os.kill(job.snapshot().placement["pid"], signal.SIGKILL)
    snapshot = wait(job, timeout=120)
    assert snapshot.state == "stopped"
    assert "Ray worker" in snapshot.error
    entry, bundle = job.result
    assert entry.name == "doomed (interrupted)"
    assert bundle.info.checkpoint_epoch >= 1
    assert_usable(bundle)
    assert not job.directory.exists()


def test_a_batch_prediction_through_ray_equals_the_local_one(local_ray, tiny_result, monkeypatch):
    from core.service.batch import CHUNK, predict_table, table_bytes

    sample = small_sample(rows=1000)
    texts = (sample.texts * 10)[:9000]
    texts[5] = ""                                              # no prediction, as locally
    frame = pd.DataFrame({"id": range(len(texts)), "text": texts})
    monkeypatch.delenv(cluster.ADDRESS_ENV)
    local = table_bytes(predict_table(tiny_result.bundle, frame, ["text"]))
    monkeypatch.setenv(cluster.ADDRESS_ENV, "local")
    monkeypatch.setenv(cluster.BATCH_ROWS_ENV, "5000")
    monkeypatch.setattr(cluster, "CHUNK_ROWS", CHUNK)
    calls = []
    remote = table_bytes(predict_table(tiny_result.bundle, frame, ["text"], lambda done, total: calls.append(done)))
    assert calls == [4096, 8192, 8999]                         # three chunks over the Ray actors
    assert remote == local


def test_serve_ray_answers_as_the_bundle_from_two_replicas(local_ray, tiny_result, tmp_path):
    """``python -m core serve --ray`` on this module's Ray instance (reached by its address, so
    the code travels as a Ray package, as it would to another machine): the same answers as the
    bundle itself, with an API key; SIGTERM ends it with its JSON line and removes the deployment."""
    from ray import serve as ray_serve

    from tests.conftest import ROOT
    from tests.core.test_serve import KEY, _call, _free_port

    tiny_result.bundle.save(tmp_path / "spam")
    port = _free_port()
    address = local_ray.get_runtime_context().gcs_address
    process = subprocess.Popen([sys.executable, "-m", "core", "serve", f"sms={tmp_path / 'spam'}", "--ray",
                                "--replicas", "2", "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env={**os.environ, cluster.ADDRESS_ENV: address, "STUDIO_API_KEY": KEY})
    base = f"http://127.0.0.1:{port}"
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
    reader.start()
    try:
        # Up when it says so (after Ray Serve has every replica running), as a user sees it.
        _until(lambda: any(line.startswith("serving sms") for line in lines) or process.poll() is not None,
               timeout=240)
        assert process.poll() is None, "".join(lines)[-3000:]
        assert "2 replicas" in next(line for line in lines if line.startswith("serving sms"))
        assert _call(f"{base}/v1/health", key=None) == (200, {"status": "ok"})
        texts = ["Free entry! Win a prize, text WIN to 80086 now", "Are we still meeting for lunch today?"]
        assert _call(f"{base}/v1/models", key=None)[0] == 401
        for text in texts:
            status, body = _call(f"{base}/v1/predict", {"texts": [text]})
            assert status == 200 and body["model"] == "sms"
            expected = tiny_result.bundle.answers([text])[0]
            assert body["predictions"][0]["label"] == expected["label"]
            assert body["predictions"][0]["probabilities"] == pytest.approx(expected["probabilities"], abs=1e-6)
        assert ray_serve.status().applications["studio"].deployments["studio"].replica_states == {"RUNNING": 2}
        process.send_signal(signal.SIGTERM)
        stdout = process.stdout.read()
        process.wait(timeout=120)
        reader.join(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.returncode != 0:   # a failed check: leave no replicas holding this instance's CPUs
            ray_serve.shutdown()
    assert process.returncode == 0, "".join(lines)[-3000:]
    assert json.loads(stdout.strip().splitlines()[-1])["replicas"] == 2
    with pytest.raises(OSError):                              # Serve's proxy is gone with the deployment
        _call(f"{base}/v1/health", key=None)


def test_the_app_dying_mid_run_on_ray_keeps_the_last_checkpoint(local_ray, tmp_path):
    """The app's process is killed while its run trains on the (still running) cluster: at the
    next start, recover() stores the checkpoint that came back as "<name> (interrupted)"."""
    from core.training.jobs import recover
    from tests.conftest import ROOT
    from tests.core.test_reliability import SERVER

    env = {**os.environ, cluster.ADDRESS_ENV: local_ray.get_runtime_context().gcs_address}
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(root=str(ROOT), store=str(tmp_path), checkpoint=True)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True, env=env)
    try:
        directory = Path(server.stdout.readline().strip())
        _until(lambda: (directory / "progress.json").exists()
               and json.loads((directory / "progress.json").read_text())["epoch"] >= 2, timeout=240)
        assert (directory / cluster.CHECKPOINT_ZIP).exists()
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    [settled] = recover(tmp_path)
    assert settled["kept_epoch"] >= 1
    store = ModelStore(tmp_path, "workspace-0123456789")
    [entry] = store.list()
    assert entry.name == "crash test (interrupted)" and store.interrupted()[0]["model_id"] == entry.model_id
    assert_usable(store.load(entry.model_id))
    assert not list((tmp_path / "jobs").iterdir())
