"""Background training jobs."""

import time

import pytest

from core.base.errors import UserError
from core.data.dataset import DataSet
from core.store import ModelStore
from core.text import PreprocessConfig
from core.training.jobs import get_job, start_training, wait
from core.training.train import TrainConfig
from tests.conftest import assert_usable
from tests.core.conftest import TINY_MODEL, small_sample


def test_job_trains_in_the_background_and_stores_the_model(tmp_path):
    store = ModelStore(tmp_path)
    job = start_training(small_sample(rows=200), PreprocessConfig(), TINY_MODEL,
                         TrainConfig(epochs=1, batch_size=32), "bg", "sms", store)
    assert get_job(job.job_id) is job
    snapshot = wait(job, timeout=300)
    assert snapshot.state == "done", snapshot.error
    assert snapshot.fraction == 1.0
    assert [row["epoch"] for row in snapshot.history] == [1]
    entry, bundle = job.result
    assert snapshot.model_id == entry.model_id
    assert store.load(entry.model_id).labels == bundle.labels


def test_stop_keeps_a_usable_model(tmp_path):
    job = start_training(small_sample(rows=300), PreprocessConfig(), TINY_MODEL,
                         TrainConfig(epochs=50, batch_size=8, early_stopping_patience=0), "stop", "sms",
                         ModelStore(tmp_path))
    while job.snapshot().history == [] and not job.snapshot().finished:
        time.sleep(0.05)
    job.stop()
    snapshot = wait(job, timeout=300)
    assert snapshot.state == "stopped"
    assert len(snapshot.history) < 50
    assert_usable(job.result[1])


def test_settings_that_cannot_work_are_refused_before_a_worker_starts(tmp_path):
    """The Train page no longer repeats core's checks: start_training makes them (core.training.memory.check_run)."""
    with pytest.raises(UserError, match="Batch size 1024 is larger than the training part"):
        start_training(small_sample(rows=100), PreprocessConfig(), TINY_MODEL, TrainConfig(batch_size=1024),
                       "bad", "sms", ModelStore(tmp_path))
    assert not list((tmp_path / "jobs").glob("job-*"))       # no job folder, no copy of the data


def test_user_errors_end_the_job_with_a_message(tmp_path):
    data = small_sample(rows=100)
    data = DataSet(data.texts, ["ham"] * len(data.texts))     # what only the worker finds out
    job = start_training(data, PreprocessConfig(), TINY_MODEL, TrainConfig(batch_size=16), "bad", "sms",
                         ModelStore(tmp_path))
    snapshot = wait(job, timeout=60)
    assert snapshot.state == "failed"
    assert snapshot.error_key == "err.only_one_class"


def test_automatic_has_a_usable_linear_model_before_the_network_and_replaces_it_in_place(tmp_path):
    """Issue 29 ("anytime"): an Automatic run stores TF-IDF + LR as soon as it is fitted (a
    "ready" line, before any epoch of the network), the Predict page can use it at once, and the
    run's final model takes its place under the same id — one model per run, never two. Stop
    during the network keeps a model that is at least as good on validation as the early one."""
    store = ModelStore(tmp_path)
    job = start_training(small_sample(rows=400), PreprocessConfig(), TINY_MODEL,
                         TrainConfig(epochs=50, batch_size=8, early_stopping_patience=0), "anytime", "sms", store,
                         kind="auto")
    while not job.snapshot().ready and not job.snapshot().finished:
        time.sleep(0.05)
    ready = job.snapshot().ready
    assert ready and ready["candidate"] in ("tfidf", "nblr", "svm"), job.snapshot().error
    early = store.load(ready["model_id"])          # usable while the network trains
    assert early.kind == "tfidf" and early.info.test is not None
    assert_usable(early)
    while not job.snapshot().history and not job.snapshot().finished:
        time.sleep(0.05)
    assert ready["seconds"] <= job.snapshot().elapsed
    job.stop()                                      # during the network
    snapshot = wait(job, timeout=300)
    assert snapshot.state == "stopped" and snapshot.model_id == ready["model_id"]
    assert [entry.model_id for entry in store.list()] == [ready["model_id"]]
    final = store.load(ready["model_id"])
    auto = final.settings["auto"]
    assert auto["ready"] in ("tfidf", "nblr", "svm") and auto["ready_seconds"] > 0
    assert final.metrics["val_accuracy"] >= auto["ready_val_accuracy"]
    assert_usable(final)
    assert len(store.test_split(ready["model_id"])) == final.info.data.test
