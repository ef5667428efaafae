"""The model store: workspaces, the SQLite index, atomic saves, repair, retention."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.base.errors import UserError
from core.store import ModelStore, new_workspace_id, valid_workspace
from tests.conftest import ROOT

TEXTS = ["WINNER! claim your free prize now", "see you at lunch tomorrow"]


def test_models_survive_a_new_process_with_identical_probabilities(tiny_result, tmp_path):
    workspace = new_workspace_id()
    store = ModelStore(tmp_path, workspace)
    entry = store.add(tiny_result.bundle, "spam", "sms_spam", tiny_result.test_texts, tiny_result.test_labels, "abc")
    assert entry.rows == 400 and entry.bytes > 10_000 and entry.fingerprint == "abc"
    expected = tiny_result.bundle.predict_proba(TEXTS)
    code = ("import json, sys; from core.store import ModelStore; "
            f"s = ModelStore(sys.argv[1], {workspace!r}); [e] = s.list(); "
            "print(json.dumps(s.load(e.model_id).predict_proba(json.loads(sys.argv[2])).tolist()))")
    import json

    out = subprocess.run([sys.executable, "-c", code, str(tmp_path), json.dumps(TEXTS)], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    np.testing.assert_array_equal(np.array(json.loads(out.stdout.strip().splitlines()[-1]), dtype=np.float32), expected)


def test_workspaces_are_isolated(tiny_result, tmp_path):
    alice, bob = ModelStore(tmp_path, new_workspace_id()), ModelStore(tmp_path, new_workspace_id())
    secret = alice.add(tiny_result.bundle, "alice's", "d")
    assert [entry.name for entry in alice.list()] == ["alice's"] and bob.list() == []
    for attempt in (lambda: bob.load(secret.model_id), lambda: bob.entry(secret.model_id),
                    lambda: bob.delete(secret.model_id), lambda: bob.rename(secret.model_id, "mine"),
                    lambda: bob.test_split(secret.model_id), lambda: bob.load("../" + alice.workspace)):
        with pytest.raises(UserError) as error:
            attempt()
        assert error.value.key == "err.model_not_found"
    assert alice.entry(secret.model_id).name == "alice's"
    for bad in ("../../etc", "short", "a/b/c/d/e/f/g/h", "", None, "x" * 65):
        assert not valid_workspace(bad)
        with pytest.raises(UserError):
            ModelStore(tmp_path, bad)
    assert valid_workspace(new_workspace_id())


def test_rename_default_delete(tiny_result, tmp_path):
    store = ModelStore(tmp_path, new_workspace_id())
    first, second = store.add(tiny_result.bundle, "one", "d"), store.add(tiny_result.bundle, "two", "d")
    assert store.rename(first.model_id, "  first   model ").name == "first model"
    with pytest.raises(UserError):
        store.rename(first.model_id, "   ")
    store.set_default(first.model_id)
    store.set_default(second.model_id)
    assert [entry.is_default for entry in store.list()] == [False, True] and store.default().name == "two"
    store.delete(second.model_id)
    assert [entry.name for entry in store.list()] == ["first model"] and store.default() is None
    assert not (store.models / second.model_id).exists()


def test_a_crash_mid_save_leaves_no_broken_model_and_repair_agrees_with_disk(tiny_result, tmp_path, monkeypatch):
    store = ModelStore(tmp_path, new_workspace_id())
    kept = store.add(tiny_result.bundle, "kept", "d")

    def crash(self, directory):
        (directory).mkdir(parents=True)
        (directory / "model.keras").write_bytes(b"half a model")
        raise OSError("disk full")

    from core.models.bundle import Bundle

    with monkeypatch.context() as patch:
        patch.setattr(Bundle, "save", crash)
        with pytest.raises(UserError) as caught:  # an OSError while saving is told in words
            store.add(tiny_result.bundle, "crashed", "d")
        assert caught.value.key == "err.store_not_writable" and "disk full" in str(caught.value)
    assert [entry.name for entry in store.list()] == ["kept"]
    assert [folder.name for folder in store.models.iterdir()] == [kept.model_id]

    # A crash between the rename and the index, a staging folder left behind, a folder deleted
    # by hand: repair makes the index agree with the disk.
    import shutil

    orphan = store.add(tiny_result.bundle, "orphan", "d")
    with store._connect() as connection:
        connection.execute("DELETE FROM models WHERE model_id = ?", (orphan.model_id,))
    (store.models / ".staging-leftover").mkdir()
    shutil.rmtree(store.models / kept.model_id)
    assert store.repair() == {"added": 1, "dropped": 1, "cleaned": 1}
    assert [entry.name for entry in store.list()] == ["orphan"]
    assert store.repair() == {"added": 0, "dropped": 0, "cleaned": 0}


def test_retention_limits_refuse_with_a_message(tiny_result, tmp_path, monkeypatch):
    store = ModelStore(tmp_path, new_workspace_id())
    monkeypatch.setenv("STUDIO_MAX_MODELS", "1")
    store.add(tiny_result.bundle, "one", "d")
    with pytest.raises(UserError) as error:
        store.add(tiny_result.bundle, "two", "d")
    assert error.value.key == "err.store_full" and "Delete models" in str(error.value)
    monkeypatch.setenv("STUDIO_MAX_MODELS", "5")
    monkeypatch.setenv("STUDIO_MAX_WORKSPACE_MB", "0")
    with pytest.raises(UserError) as error:
        store.add(tiny_result.bundle, "two", "d")
    assert error.value.key == "err.store_full_disk"
    assert len(store.list()) == 1


def test_an_uploaded_zip_becomes_a_model_of_the_workspace(tiny_result, tmp_path):
    from core.models.package import bundle_zip

    store = ModelStore(tmp_path, new_workspace_id())
    entry = store.add(tiny_result.bundle, "original", "sms")
    data = bundle_zip(entry.path, "original", "sms")
    other = ModelStore(tmp_path, new_workspace_id())
    uploaded = other.import_zip(data, "from a colleague")
    assert other.list()[0].name == "from a colleague" and uploaded.dataset == "upload"
    np.testing.assert_array_equal(other.load(uploaded.model_id).predict_proba(TEXTS),
                                  tiny_result.bundle.predict_proba(TEXTS))
    with pytest.raises(UserError):
        other.import_zip(b"not a zip", "x")
    assert len(other.list()) == 1 and [f.name for f in other.models.iterdir()] == [uploaded.model_id]


def test_the_store_saves_a_threshold_and_leaves_open_bundles_alone(tiny_result, tmp_path):
    """Issue 17: the Evaluate page changed the bundle every session shares and saved it itself."""
    store = ModelStore(tmp_path, new_workspace_id())
    entry = store.add(tiny_result.bundle, "spam", "sms_spam", tiny_result.test_texts, tiny_result.test_labels)
    opened = store.load(entry.model_id)
    saved = store.save_decision(entry.model_id, "spam", 0.2)
    assert opened.decision is None and saved is not opened                     # what sessions hold is unchanged
    assert saved.decision == store.load(entry.model_id).decision == {"positive": "spam", "threshold": 0.2}
    predicted = saved.predict(tiny_result.test_texts)
    assert saved.metrics["test"]["accuracy"] == pytest.approx(
        np.mean([p == t for p, t in zip(predicted, tiny_result.test_labels)]))  # figures of the rule in force
    assert store.save_decision(entry.model_id, None).decision is None
    with pytest.raises(UserError, match="not one of this model's classes"):
        store.save_decision(entry.model_id, "eggs", 0.5)
    assert [e.model_id for e in store.list()] == [entry.model_id]


def test_the_workspace_keeps_its_current_data_set(tmp_path):
    """Issue 17: a reloaded tab finds the data set it was working on (core.data.current)."""
    from core.data.dataset import DataChoices

    store = ModelStore(tmp_path, new_workspace_id())
    current = store.current_data()
    assert current.load() is None
    current.save_choices(choices=DataChoices(text_columns=("text",)))         # no file yet: nothing to attach to
    assert current.load() is None
    current.save_file(b"text,label\nhello,a\nbye,b\n", "greetings.csv")
    current.save_choices(choices=DataChoices(text_columns=("text",), label_column="label", drop_duplicates=True),
                         preprocess={"tokenizer": "char"})
    kept = current.load()
    assert kept["raw"] == b"text,label\nhello,a\nbye,b\n" and kept["name"] == "greetings.csv"
    assert kept["choices"].drop_duplicates and kept["choices"].text_columns == ("text",)
    assert kept["preprocess"] == {"tokenizer": "char"}
    current.save_file(b"text,label\nnew,a\n", "other.csv")                    # another file: its own choices
    assert current.load()["choices"] is None and current.load()["preprocess"] is None
    (current.folder / "source.bin").write_bytes(b"half written")               # a crash between the two writes
    assert current.load() is None
    assert ModelStore(tmp_path, new_workspace_id()).current_data().load() is None   # another workspace: nothing


def test_repair_keeps_the_staging_folder_of_a_worker_still_saving(tmp_path):
    """systemd restarts the app (Restart=on-failure) while an orphaned training worker is still
    saving its model: the new app's repair must not delete the worker's staging folder. Once
    the worker is gone, its leftover is cleaned."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    worker = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from core.store import ModelStore; "
         f"staging = ModelStore({str(tmp_path)!r})._staging(); (staging / 'bundle').mkdir(); "
         "print(staging, flush=True); time.sleep(120)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        staging = Path(worker.stdout.readline().strip())
        assert staging.is_dir()
        assert ModelStore(tmp_path).repair()["cleaned"] == 0     # the app restarted and repaired
        assert staging.is_dir() and (staging / "bundle").is_dir()
    finally:
        worker.kill()
        worker.wait()
    assert ModelStore(tmp_path).repair()["cleaned"] == 1
    assert not staging.exists()
