"""Replacing a bundle, a stored model, a checkpoint, an export or an uploaded bundle: a process
killed at any step leaves the old one or the new one whole, and it is found after a restart.

Each case runs in a child process that stops itself (``os._exit``, no clean-up at all) at one step
of :func:`core.base.files.replace_dir`; the parent then does what a restarted server or the next command
does (``repair``, reading the checkpoint, ``recover``) and checks what is there.
"""

import json
import subprocess
import sys
import textwrap

import pytest

from core.base import files
from core.models.bundle import Bundle
from core.store import ModelStore
from core.text import PreprocessConfig
from tests.conftest import ROOT

STEPS = ["staged", "old-aside", "new-in-place", "old-removed", None]   # None: the replace finishes
NEW_WINS = ("new-in-place", "old-removed", None)   # steps after which the new one is in place


def tfidf_bundle(marker: str) -> Bundle:
    """A small real bundle, marked in its metrics: TF-IDF + logistic regression on 200 texts of
    the bundled sample, built without TensorFlow so that each child process starts in a second."""
    from core.data.dataset import SAMPLES, load_dataset
    from core.models.tfidf import TfidfModel
    from core.text import Vocabulary, tokenize

    dataset, _ = load_dataset(SAMPLES["sms_spam"].path)
    texts, labels = dataset.texts[:200], dataset.labels[:200]
    names = sorted(set(labels))
    model = TfidfModel.fit([tokenize(text, PreprocessConfig()) for text in texts], [names.index(label) for label in labels],
                           len(names))
    return Bundle(model=model, preprocess=PreprocessConfig(), vocabulary=Vocabulary(model.terms), labels=names,
                  settings={"kind": "tfidf"}, metrics={"marker": marker, "val_accuracy": 1.0})


def run_child(body: str, step, tmp_path, *args) -> int:
    """Run ``body`` in a fresh interpreter that dies at ``step`` of any folder replace."""
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        os.environ["STUDIO_DATA_DIR"] = {str(tmp_path / "studio-data")!r}
        import core.base.files as files
        STOP = {step!r}
        def hook(name):
            if name == STOP:
                os._exit(17)
        files._STEP_HOOK = hook
    """) + textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode in (0, 17), done.stderr[-3000:]
    assert (done.returncode == 17) == (step is not None), (step, done.returncode, done.stderr[-2000:])
    return done.returncode


def test_replace_dir_steps_are_the_ones_the_hook_sees(tmp_path):
    seen = []
    files._STEP_HOOK = seen.append
    try:
        target = tmp_path / "target"
        target.mkdir()
        new = files.staging_dir(target)
        (new / "a").write_text("new")
        files.replace_dir(new, target)
    finally:
        files._STEP_HOOK = None
    assert seen == STEPS[:-1] and (target / "a").read_text() == "new"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["target"]


@pytest.mark.parametrize("step", STEPS)
def test_a_bundle_saved_over_another_is_the_old_or_the_new_whole(tmp_path, step):
    target = tmp_path / "model"
    tfidf_bundle("old").save(target)
    run_child("""
        from tests.core.test_files import tfidf_bundle  # (imports no TensorFlow)
        tfidf_bundle("new").save(sys.argv[1])
    """, step, tmp_path, target)
    files.recover(target)               # what the next `python -m core` command does first
    marker = Bundle.load(target).metrics["marker"]
    assert marker == ("new" if step in NEW_WINS else "old")
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


@pytest.mark.parametrize("step", STEPS)
def test_a_threshold_saved_in_the_store_keeps_the_model_listed(tmp_path, step):
    """Issue 21, case 6: a crash while saving a threshold made repair() drop the model."""
    from core.data.dataset import SAMPLES, load_dataset

    store = ModelStore(tmp_path / "studio-data")
    data, _ = load_dataset(SAMPLES["sms_spam"].path)
    entry = store.add(tfidf_bundle("stored"), "spam filter", "sms", data.texts[-40:], data.labels[-40:])
    run_child("""
        from core.store import ModelStore
        ModelStore(os.environ["STUDIO_DATA_DIR"]).save_decision(sys.argv[1], "spam", 0.3)
    """, step, tmp_path, entry.model_id)
    report = ModelStore(tmp_path / "studio-data").repair()     # a restarted server
    assert report["dropped"] == 0
    assert [listed.model_id for listed in store.list()] == [entry.model_id]
    bundle = store.load(entry.model_id)
    expected = {"positive": "spam", "threshold": 0.3} if step in NEW_WINS else None
    assert bundle.decision == expected and bundle.metrics["marker"] == "stored"


@pytest.mark.parametrize("step", STEPS)
def test_a_worker_killed_while_rewriting_its_checkpoint_keeps_the_last_one(tmp_path, step):
    """Issue 21, case 5: the previous checkpoint sat aside, where recovery never looked."""
    from core.data.dataset import SAMPLES, load_dataset
    from core.training.job import _keep_checkpoint

    job = tmp_path / "job"
    data, _ = load_dataset(SAMPLES["sms_spam"].path)
    tfidf_bundle("epoch 1").save(job / "checkpoint")
    run_child("""
        from tests.core.test_files import tfidf_bundle  # (imports no TensorFlow)
        tfidf_bundle("epoch 2").save(sys.argv[1])
    """, step, tmp_path, job / "checkpoint")
    payload = {"train": {}, "texts": data.texts, "labels": data.labels, "name": "run", "dataset_name": "sms"}
    kept = _keep_checkpoint(job, payload, ModelStore(tmp_path / "studio-data"))
    assert kept is not None and kept.name == "run (interrupted)"
    marker = ModelStore(tmp_path / "studio-data").load(kept.model_id).metrics["marker"]
    assert marker == ("epoch 2" if step in NEW_WINS else "epoch 1")


@pytest.mark.parametrize("step", STEPS)
def test_an_uploaded_bundle_replacing_a_folder_is_whole(tmp_path, step):
    from core.models.package import bundle_zip

    source = tmp_path / "source"
    tfidf_bundle("new").save(source)
    (tmp_path / "upload.zip").write_bytes(bundle_zip(source, "new"))
    target = tmp_path / "unpacked"
    tfidf_bundle("old").save(target)
    run_child("""
        from pathlib import Path
        from core.models.package import unpack_bundle
        unpack_bundle(Path(sys.argv[1]).read_bytes(), sys.argv[2])
    """, step, tmp_path, tmp_path / "upload.zip", target)
    files.recover(target)
    assert Bundle.load(target).metrics["marker"] == ("new" if step in NEW_WINS else "old")


@pytest.mark.parametrize("step", STEPS)
def test_a_savedmodel_export_replacing_another_is_whole(tmp_path, step, tiny_result):
    from core.models.export import export_savedmodel

    bundle_dir, target = tmp_path / "bundle", tmp_path / "export"
    tiny_result.bundle.save(bundle_dir)
    export_savedmodel(tiny_result.bundle, target)
    (target / "assets.extra" / "marker").write_text("old")
    run_child("""
        from core.models.bundle import Bundle
        from core.models.export import export_savedmodel
        export_savedmodel(Bundle.load(sys.argv[1]), sys.argv[2])
    """, step, tmp_path, bundle_dir, target)
    files.recover(target)
    assert (target / "saved_model.pb").is_file() and (target / "variables").is_dir()
    assert json.loads((target / "assets.extra" / "labels.json").read_text()) == tiny_result.bundle.labels
    assert (target / "assets.extra" / "marker").exists() == (step not in NEW_WINS)


def test_recover_leaves_a_whole_target_alone_and_clears_leftovers(tmp_path):
    target = tmp_path / "t[1]"          # glob characters in a name are taken literally
    target.mkdir()
    (target / "x").write_text("current")
    stale = files.staging_dir(target)
    (tmp_path / ".t[1].old-abc").mkdir()
    assert files.recover(target) is False
    assert (target / "x").read_text() == "current" and not stale.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["t[1]"]


def test_atomic_json_write_leaves_the_old_or_the_new(tmp_path):
    path = tmp_path / "record.json"
    files.write_json(path, {"a": 1})
    files.write_json(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2} and [p.name for p in tmp_path.iterdir()] == ["record.json"]
