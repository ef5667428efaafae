"""Ten sessions at once against one server process (Streamlit AppTest sessions share this
process, as browser sessions share the server's): each uploads its own data, trains a small
model and predicts. Every session finishes, none sees another's data or models, and when the
sessions end the models they opened are freed and the process's memory is back near where it
started. ``STUDIO_LOAD_SESSIONS`` changes the number (default 10)."""

import gc
import os
import weakref

import pytest
from streamlit.testing.v1 import AppTest

from core.training.jobs import get_job, wait
from tests.pages.conftest import APP, texts

SESSIONS = int(os.environ.get("STUDIO_LOAD_SESSIONS", "10"))
pytestmark = pytest.mark.slow


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def csv_for(i: int) -> bytes:
    """A small data set only session ``i`` has: its own two labels and words."""
    rows = ["text,label"]
    for k in range(160):
        good = k % 2 == 0
        words = f"lovely great fine{i} day {k}" if good else f"awful bad poor{i} night {k}"
        rows.append(f"{words},{f'good{i}' if good else f'bad{i}'}")
    return ("\n".join(rows) + "\n").encode()


def start_session(i: int) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=180)
    app.run()
    app.file_uploader[0].set_value((f"session{i}.csv", csv_for(i), "text/csv")).run()
    assert not app.exception
    app.switch_page("pages/train.py").run()
    app.radio(key="train_kind").set_value("keras").run()   # the network alone (Automatic is the default)
    app.number_input(key="train_epochs").set_value(1)
    app.number_input(key="train_embedding_dim").set_value(8)
    app.number_input(key="train_lstm_units").set_value(8)
    app.text_input(key="train_name").input(f"model-{i}")
    app.button(key="train_start").click().run()
    assert not app.exception
    # A second click cannot start a second run: Start is greyed out from the redraw after the
    # first; a click that arrives before the redraw finds the run going and starts nothing (and
    # start_training itself refuses a second run per workspace, tests/core/test_reliability.py).
    assert app.button(key="train_start").disabled
    return app


def finish_session(app: AppTest, i: int) -> None:
    job = get_job(app.session_state["job_id"])
    assert wait(job, timeout=600).state == "done", job.snapshot().error
    app.run()
    app.switch_page("pages/predict.py").run()
    app.text_area(key="predict_text").input(f"awful bad poor{i} night").run()
    assert not app.exception
    [label] = [metric.value for metric in app.metric if metric.label == "Predicted class"]
    assert label in (f"good{i}", f"bad{i}")
    app.switch_page("pages/models.py").run()
    assert app.dataframe[0].value["Name"].tolist() == [f"model-{i}"]   # its own model only
    assert {record["entry"].name for record in app.session_state["models"].values()} == {f"model-{i}"}


def test_ten_sessions_at_once_finish_stay_apart_and_free_their_memory():
    from ui import state

    warm = start_session(99)                 # the first session pays for imports and tracing
    finish_session(warm, 99)
    del warm
    gc.collect()
    baseline = rss_mb()

    apps = [start_session(i) for i in range(SESSIONS)]
    jobs = {app.session_state["job_id"] for app in apps}
    assert len(jobs) == SESSIONS             # one run per session
    for i, app in enumerate(apps):
        finish_session(app, i)
        assert "model-" not in texts(app.error)
    peak = rss_mb()
    opened = [weakref.ref(record["bundle"]) for app in apps for record in app.session_state["models"].values()]
    assert len(opened) == SESSIONS

    del apps, app
    gc.collect()
    assert [ref for ref in opened if ref() is not None] == []   # no Keras model outlives its sessions
    assert len(state._BUNDLES) == 0
    after = rss_mb()
    print(f"RSS: baseline {baseline:.0f} MB, with {SESSIONS} sessions {peak:.0f} MB, after {after:.0f} MB")
    assert after <= baseline * 1.10, f"memory did not come back: {baseline:.0f} MB → {after:.0f} MB"
