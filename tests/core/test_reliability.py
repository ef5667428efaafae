"""Faults a shared server meets: a crash mid-training, a full or read-only disk, too little
memory, a double click on Start. Real training in real worker processes; the faults are real
where the machine allows (a killed process, a data folder that cannot exist) and injected where
it does not (a full disk)."""

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from core.base.config import TrainConfig
from core.base.errors import UserError
from core.models.model import ModelConfig
from core.store import ModelStore
from core.text import PreprocessConfig
from core.training.jobs import recover, start_training, wait
from core.training.memory import check_memory, estimate_memory
from core.training.train import TrainingCallback, train
from tests.conftest import ROOT, assert_usable
from tests.core.conftest import TINY_MODEL, small_sample

# -- memory ------------------------------------------------------------------------------------


def test_memory_estimate_grows_with_the_settings_that_cost_memory():
    base = estimate_memory(20_000, 2, ModelConfig(), TrainConfig(batch_size=32), 100, 5000)
    assert base["total"] == base["weights"] + base["activations"] + base["data"] + base["runtime"]
    bigger_batch = estimate_memory(20_000, 2, ModelConfig(), TrainConfig(batch_size=256), 100, 5000)
    assert bigger_batch["activations"] == 8 * base["activations"] and bigger_batch["weights"] == base["weights"]
    assert estimate_memory(80_000, 2, ModelConfig(), TrainConfig(batch_size=32), 100, 5000)["weights"] > 3 * base["weights"]
    both_ways = estimate_memory(20_000, 2, ModelConfig(bidirectional=True), TrainConfig(batch_size=32), 100, 5000)
    assert both_ways["activations"] > base["activations"] and both_ways["weights"] > base["weights"]


@pytest.mark.parametrize("part, settings", [
    ("activations", dict(vocab=2000, batch=4096, length=2000, units=512)),
    ("weights", dict(vocab=5_000_000, batch=8, length=20, units=8)),
])
def test_settings_that_would_not_fit_are_refused_with_what_to_lower(part, settings):
    estimate = estimate_memory(settings["vocab"], 2, ModelConfig(embedding_dim=512, lstm_units=settings["units"]),
                               TrainConfig(batch_size=settings["batch"]), settings["length"], 1000)
    with pytest.raises(UserError) as caught:
        check_memory(estimate, available=2 * 2**30)
    assert caught.value.key == f"err.memory_{part}"
    message = caught.value.message("en")
    assert "only 2.0 GB is free" in message and ("batch size" in message or "vocabulary" in message)
    check_memory(estimate, available=estimate["total"] * 2)  # fits: no error


def test_training_checks_memory_before_it_starts(monkeypatch):
    monkeypatch.setenv("STUDIO_MEMORY_LIMIT_MB", "500")  # less than the runtime alone
    with pytest.raises(UserError) as caught:
        train(small_sample(rows=100), PreprocessConfig(), TINY_MODEL, TrainConfig(epochs=1))
    assert caught.value.key.startswith("err.memory_")


class OutOfMemoryOnce(TrainingCallback):
    """Raises TensorFlow's out-of-memory error on the first batch of the first ``times`` runs."""

    def __init__(self, times=1):
        self.times, self.begun = times, 0

    def on_train_begin(self, info):
        self.begun += 1

    def on_batch_end(self, epoch, step, steps):
        import tensorflow as tf

        if self.begun <= self.times:
            raise tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor")


def test_out_of_memory_mid_run_retries_with_half_the_batch():
    callback = OutOfMemoryOnce()
    result = train(small_sample(rows=200), PreprocessConfig(), TINY_MODEL, TrainConfig(epochs=1, batch_size=32),
                   callback)
    assert callback.begun == 2
    assert result.bundle.settings["batch_fallback"] == {"requested": 32, "used": 16}
    assert result.bundle.settings["train"]["batch_size"] == 16
    assert_usable(result.bundle)


def test_out_of_memory_even_at_the_smallest_batch_explains():
    with pytest.raises(UserError) as caught:
        train(small_sample(rows=200), PreprocessConfig(), TINY_MODEL, TrainConfig(epochs=1, batch_size=16),
              OutOfMemoryOnce(times=10))
    assert caught.value.key == "err.out_of_memory" and "batch size 8" in str(caught.value)


# -- disk ---------------------------------------------------------------------------------------


def test_data_folder_that_cannot_be_written_gives_a_clear_message(tmp_path, tiny_result):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = ModelStore(blocker / "data")
    for action in (store.check_writable, store.list, lambda: store.add(tiny_result.bundle, "m", "sms")):
        with pytest.raises(UserError) as caught:
            action()
        assert caught.value.key == "err.store_not_writable" and str(blocker / "data") in str(caught.value)
    with pytest.raises(UserError) as caught:
        start_training(small_sample(rows=100), PreprocessConfig(), TINY_MODEL, TrainConfig(epochs=1), "x", "sms", store)
    assert caught.value.key == "err.store_not_writable"
    # A model already loaded keeps predicting.
    assert_usable(tiny_result.bundle)


def test_full_disk_while_saving_keeps_the_store_as_it_was(tmp_path, tiny_result, monkeypatch):
    store = ModelStore(tmp_path)
    kept = store.add(tiny_result.bundle, "kept", "sms")

    def full(self, directory):
        (directory).mkdir(parents=True)
        (directory / "model.keras").write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(type(tiny_result.bundle), "save", full)
    with pytest.raises(UserError) as caught:
        store.add(tiny_result.bundle, "new", "sms")
    assert caught.value.key == "err.disk_full" and "No space left on device" in str(caught.value)
    assert [entry.name for entry in store.list()] == ["kept"]
    assert not list(store.models.glob(".staging-*"))
    assert store.repair() == {"added": 0, "dropped": 0, "cleaned": 0}
    monkeypatch.undo()
    assert_usable(store.load(kept.model_id))


# -- one run at a time --------------------------------------------------------------------------


def test_a_double_click_starts_one_run_and_its_resources_are_freed(tmp_path):
    store = ModelStore(tmp_path)
    first = start_training(small_sample(rows=200), PreprocessConfig(), TINY_MODEL,
                           TrainConfig(epochs=1, batch_size=32), "first", "sms", store)
    with pytest.raises(UserError) as caught:
        start_training(small_sample(rows=200), PreprocessConfig(), TINY_MODEL, TrainConfig(epochs=1), "second", "sms",
                       store)
    assert caught.value.key == "err.job_running" and "'first'" in str(caught.value)
    assert wait(first, timeout=300).state == "done"
    # Finished: no worker process left, no copy of the data left on disk.
    assert not list((tmp_path / "jobs").iterdir())
    assert not [line for line in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout.splitlines()
                if "core.training.worker" in line and str(tmp_path) in line]
    again = start_training(small_sample(rows=200), PreprocessConfig(), TINY_MODEL, TrainConfig(epochs=1, batch_size=32),
                           "again", "sms", store)
    assert wait(again, timeout=300).state == "done"
    assert [entry.name for entry in store.list()] == ["first", "again"]


# -- the server dies mid-run --------------------------------------------------------------------

SERVER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from core.training.jobs import start_training
    from core.store import ModelStore
    from core.text import PreprocessConfig
    from core.training.train import TrainConfig
    from tests.core.conftest import TINY_MODEL, small_sample
    job = start_training(small_sample(rows=400), PreprocessConfig(), TINY_MODEL,
                         TrainConfig(epochs=200, batch_size=8, early_stopping_patience=0, checkpoint={checkpoint}),
                         "crash test", "sms", ModelStore({store!r}, "workspace-0123456789"))
    print(job.directory, flush=True)
    time.sleep(600)
""")


def _start_server(tmp_path, checkpoint=True):
    """A stand-in for the app's server process: it starts a long run, then we kill it."""
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(root=str(ROOT), store=str(tmp_path),
                                                                    checkpoint=checkpoint)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True)
    directory = server.stdout.readline().strip()
    from pathlib import Path

    directory = Path(directory)
    deadline = time.time() + 240
    while time.time() < deadline:  # until two epochs are done (and checkpointed)
        progress = directory / "progress.json"
        if progress.exists() and json.loads(progress.read_text())["epoch"] >= 2:
            break
        time.sleep(0.2)
    else:
        os.killpg(server.pid, signal.SIGKILL)
        pytest.fail("the run did not reach epoch 2")
    return server, directory


def _worker_pid(directory):
    return int((directory / "worker.pid").read_text())


def _gone(pid, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if open(f"/proc/{pid}/stat").read().split()[2] == "Z":
            return True
        time.sleep(0.2)
    return False


def test_server_killed_the_worker_stops_and_keeps_its_model(tmp_path):
    server, directory = _start_server(tmp_path)
    worker = _worker_pid(directory)
    os.kill(server.pid, signal.SIGKILL)  # the server only: its worker is orphaned
    server.wait()
    assert _gone(worker), "the orphaned worker kept training"
    settled = recover(tmp_path)
    assert len(settled) == 1 and settled[0]["model_id"]
    store = ModelStore(tmp_path, "workspace-0123456789")
    [notice] = store.interrupted()
    assert notice["name"] == "crash test" and notice["epoch"] >= 2 and notice["epochs"] == 200
    [entry] = store.list()
    bundle = store.load(entry.model_id)
    assert bundle.metrics["stopped_by_user"] and bundle.metrics["epochs"] < 200
    assert_usable(bundle)
    assert not list((tmp_path / "jobs").iterdir())  # the copy of the user's data is gone
    store.dismiss_interrupted(notice["job_id"])
    assert store.interrupted() == []


def test_server_and_worker_killed_the_last_checkpoint_is_kept(tmp_path):
    server, directory = _start_server(tmp_path)
    worker = _worker_pid(directory)
    os.killpg(server.pid, signal.SIGKILL)  # the whole process group: no chance to save anything
    server.wait()
    assert _gone(worker)
    assert recover(tmp_path)[0]["kept_epoch"] >= 1
    store = ModelStore(tmp_path, "workspace-0123456789")
    [notice] = store.interrupted()
    [entry] = store.list()
    assert entry.name == "crash test (interrupted)" and notice["model_id"] == entry.model_id
    assert notice["kept_epoch"] >= 1 and notice["epoch"] >= notice["kept_epoch"]
    bundle = store.load(entry.model_id)
    assert bundle.metrics["interrupted"] and "test" in bundle.metrics      # scored on the run's own test split
    assert len(store.test_split(entry.model_id)) == 40
    assert_usable(bundle)
    assert store.repair() == {"added": 0, "dropped": 0, "cleaned": 0}      # the store is consistent
    assert not list((tmp_path / "jobs").iterdir())
    assert recover(tmp_path) == []                                         # settled once


def test_without_checkpoints_the_run_is_reported_lost(tmp_path):
    server, directory = _start_server(tmp_path, checkpoint=False)
    worker = _worker_pid(directory)
    os.killpg(server.pid, signal.SIGKILL)
    server.wait()
    assert _gone(worker)
    assert not (directory / "checkpoint").exists()
    recover(tmp_path)
    store = ModelStore(tmp_path, "workspace-0123456789")
    [notice] = store.interrupted()
    assert notice["model_id"] is None and store.list() == []
