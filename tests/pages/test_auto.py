"""Issue 18 through the pages: unlabelled texts on the Data page, word vectors and Automatic on
the Train page, the candidates side by side on the Evaluate page."""

from streamlit.testing.v1 import AppTest

from core.base.i18n import seconds
from core.training.jobs import get_job, wait
from tests.pages.conftest import APP, load_sample, new_app, texts

UNLABELLED = ("message\n" + "\n".join([
    "call now to claim your free prize", "are you coming to dinner tonight", "winner! text back to win cash",
    "see you at the station later", "urgent: your account has a reward waiting", "thanks for the lovely evening",
] * 20) + "\n").encode()


def test_unlabelled_texts_word_vectors_and_automatic_from_upload_to_the_side_by_side():
    app = load_sample(new_app())
    workspace = app.session_state["workspace"]
    app.file_uploader(key="data_unlabelled_upload").set_value(("more.csv", UNLABELLED, "text/csv")).run()
    assert not app.exception
    assert "Unlabelled texts: 120 from more.csv." in texts(app.success)
    assert "In all 120 unlabelled texts for word vectors" in texts(app.caption)

    app.switch_page("pages/train.py").run()
    app.radio(key="train_kind").set_value("auto").run()
    assert "keeps whichever candidate is most accurate there" in texts(app.caption)
    # With unlabelled texts, the network starts from vectors learned from them by default.
    assert app.selectbox(key="train_vectors").value == "learn"
    assert app.selectbox(key="train_vectors").options == ["None (learned from the labels alone)",
                                                          "Learned from my texts", "Upload a vectors file"]
    assert "From 2,620 texts, of which 120 unlabelled" in texts(app.caption)
    app.number_input(key="train_epochs").set_value(1)
    app.number_input(key="train_lstm_units").set_value(16)
    app.button(key="train_start").click().run()
    assert not app.exception
    job = get_job(app.session_state["job_id"])
    assert wait(job, timeout=300).state == "done"
    assert job.snapshot().vectors["words"] > 100 and job.snapshot().vectors["dim"] == 128
    app.run()
    # The message names the kept model, every candidate's validation accuracy and where the time went
    # (issue 27: it said "training took 0.95 s (1 epochs)" under the network's curves).
    said = texts(app.success)
    kept = job.settings["auto"]["chosen"]
    rows = {row["name"]: row for row in job.metrics["candidates"]}
    names = {"tfidf": "TF-IDF + logistic regression", "nblr": "NB-weighted logistic regression",
             "svm": "the linear SVM on words and characters", "network": "the network",
             "blend": "the blend of the network and the best linear model"}
    assert f"Kept: {names[kept]} — {100 * rows[kept]['val_accuracy']:.1f} % on validation" in said
    assert all(f"{100 * rows[name]['val_accuracy']:.1f} %" in said for name in rows)
    linear = sum(rows[name]["train_seconds"] for name in ("tfidf", "nblr", "svm"))
    assert f"Time: the network {rows['network']['train_seconds']:.1f} s (1 epoch), the linear models {seconds(linear)} s" in said
    assert "1 epochs" not in said
    if kept in ("tfidf", "nblr", "svm"):      # the curves on screen are the candidate's, and the page says so
        assert "These curves are the network's" in texts(app.caption)

    app.switch_page("pages/evaluate.py").run()
    assert not app.exception
    table = next(frame.value for frame in app.dataframe if "Candidate" in frame.value.columns)
    assert [name.lstrip("✓ ").split(" (")[0] for name in table["Candidate"]] == [
        "TF-IDF + logistic regression", "NB-weighted logistic regression", "Linear SVM on words and characters",
        "Neural network", "Blend"]
    assert sum(name.startswith("✓") for name in table["Candidate"]) == 1
    assert "Kept: " in texts(app.caption) and "The test texts were not used to choose" in texts(app.caption)
    bundle = app.session_state["models"][app.session_state["selected_model"]]["bundle"]
    network = bundle.settings.get("vectors") or bundle.settings["auto"]["vectors"]
    assert network["source"] == "learned" and network["dim"] == 128

    # A reloaded tab finds the unlabelled texts again.
    again = AppTest.from_file(APP, default_timeout=120)
    again.query_params["ws"] = workspace
    again.run()
    assert again.session_state["unlabelled"]["name"] == "more.csv"
    assert len(again.session_state["unlabelled"]["texts"]) == 120


def test_a_vectors_file_that_fits_no_words_is_refused_before_training(tmp_path, monkeypatch):
    import numpy as np

    from core.models.vectors import WordVectors, write_vectors

    folder = tmp_path / "vectors"
    folder.mkdir()
    write_vectors(WordVectors(["zzz", "qqq"], np.ones((2, 4), dtype=np.float32)), folder / "other.vec")
    from collections import Counter

    from core.data.dataset import SAMPLES, load_dataset
    from core.text import default_config, tokenize

    sample = load_dataset(SAMPLES["sms_spam"].path)[0].texts
    config = default_config(sample)
    counts = Counter(token for text in sample for token in tokenize(text, config))
    common = [word for word, _ in counts.most_common(len(counts) // 2)]
    write_vectors(WordVectors(common, np.ones((len(common), 6), dtype=np.float32)), folder / "fits.vec")
    monkeypatch.setenv("STUDIO_VECTORS_DIR", str(folder))
    app = load_sample(new_app())
    app.switch_page("pages/train.py").run()
    assert app.selectbox(key="train_vectors").value == "none"
    app.selectbox(key="train_vectors").set_value("server:other.vec").run()
    assert "other.vec" in texts(app.error) and "0.0%" in texts(app.error)
    assert app.button(key="train_start").disabled
    app.selectbox(key="train_vectors").set_value("server:fits.vec").run()
    assert not app.exception
    assert f"50% of your words have a vector ({len(common):,} words, 6 dimensions" in texts(app.caption)
    assert not app.button(key="train_start").disabled
