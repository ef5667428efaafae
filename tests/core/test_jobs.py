"""Background training jobs."""

import time

from core.jobs import get_job, start_training, wait
from core.store import ModelStore
from core.text import PreprocessConfig
from core.train import TrainConfig
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
    assert job.result[1].predict(["hello"])[0] in ("ham", "spam")


def test_user_errors_end_the_job_with_a_message(tmp_path):
    job = start_training(small_sample(rows=100), PreprocessConfig(), TINY_MODEL, TrainConfig(batch_size=1024),
                         "bad", "sms", ModelStore(tmp_path))
    snapshot = wait(job, timeout=60)
    assert snapshot.state == "failed"
    assert snapshot.error_key == "err.batch_too_large"
