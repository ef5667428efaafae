"""Issue 19 through the pages: labels that look wrong are listed, corrected, undone; the
Evaluate page's flags and learning curve."""

from core.training.jobs import get_job, wait
from tests.pages.conftest import load_sample, new_app, texts


def train_tfidf_and_evaluate(app):
    """Train TF-IDF + logistic regression on the loaded data (seconds), then open the Evaluate page."""
    app.switch_page("pages/train.py").run()
    app.radio(key="train_kind").set_value("tfidf").run()
    app.button(key="train_start").click().run()
    assert wait(get_job(app.session_state["job_id"]), timeout=300).state == "done"
    app.switch_page("pages/train.py").run()   # where the finished run is collected
    app.switch_page("pages/evaluate.py").run()
    assert not app.exception
    return app


def test_flag_relabel_and_undo_on_the_data_page():
    app = load_sample(new_app())
    rows = len(app.session_state["dataset"])
    app.button(key="data_labels_check").click().run()
    assert not app.exception
    checked = app.session_state["label_issues"]
    issues = checked["issues"]
    assert issues and "labels look wrong" in texts(app.warning)
    first, second = issues[0], issues[1]
    # The table's first row: take the suggestion; its second: leave the row out.
    app.session_state["data_label_editor_0"] = {"edited_rows": {0: {"action": "Use the suggestion"},
                                                                1: {"action": "Leave the row out"}},
                                                "added_rows": [], "deleted_rows": []}
    app.button(key="data_labels_apply").click().run()
    assert not app.exception
    corrections = app.session_state["file_choices"][app.session_state["data_file"]].corrections
    assert corrections == {str(first["row"]): first["suggested"], str(second["row"]): ""}
    dataset = app.session_state["dataset"]
    assert len(dataset) == rows - 1
    assert "Your corrections are in use: 1 labels changed and 1 rows left out" in texts(app.info)
    assert first["row"] not in {issue["row"] for issue in app.session_state["label_issues"]["issues"]}
    # The next training uses the corrected data: the dataset the Train page takes has the new label.
    assert dataset.labels[dataset.texts.index(first["text"])] == first["suggested"]
    app.button(key="data_labels_undo").click().run()
    assert not app.exception
    assert app.session_state["file_choices"][app.session_state["data_file"]].corrections == {}
    assert len(app.session_state["dataset"]) == rows and "Your corrections are in use" not in texts(app.info)
    # The list is back as it was before the change (it used to vanish and ask for a new check).
    assert [issue["row"] for issue in app.session_state["label_issues"]["issues"]] == [issue["row"] for issue in issues]
    assert "labels look wrong" in texts(app.warning)


def test_take_every_suggestion_above_a_threshold_and_undo_it():
    app = load_sample(new_app())
    app.button(key="data_labels_check").click().run()
    issues = app.session_state["label_issues"]["issues"]
    app.number_input(key="label_threshold").set_value(50).run()
    sure = [issue for issue in issues if issue["confidence"] >= 0.5 and issue["suggested"]]
    assert sure, "the sample's check lists suggestions at least 50 % sure"
    button = app.button(key="data_labels_accept_all")
    assert f"({len(sure)})" in button.label and not button.disabled
    button.click().run()
    assert not app.exception
    corrections = app.session_state["file_choices"][app.session_state["data_file"]].corrections
    assert corrections == {str(issue["row"]): issue["suggested"] for issue in sure}
    left = {issue["row"] for issue in app.session_state["label_issues"]["issues"]}
    assert not left & {issue["row"] for issue in sure}
    app.button(key="data_labels_undo").click().run()
    assert app.session_state["file_choices"][app.session_state["data_file"]].corrections == {}
    assert len(app.session_state["label_issues"]["issues"]) == len(issues)


def test_the_evaluate_page_flags_test_labels_draws_the_curve_and_hands_the_flags_to_the_data_page():
    import io

    import pandas as pd

    from core.data.dataset import SAMPLES, load_dataset
    from tests.core.test_quality import flipped

    dataset, _ = load_dataset(SAMPLES["sms_spam"].path)
    noisy, planted = flipped(dataset.labels, 0.05, seed=3)
    buffer = io.BytesIO()
    pd.DataFrame({"text": dataset.texts, "label": noisy}).to_csv(buffer, index=False)
    app = new_app()
    app.file_uploader(key="data_upload").set_value(("noisy.csv", buffer.getvalue(), "text/csv")).run()
    train_tfidf_and_evaluate(app)
    assert "Labels that look wrong among the test texts" in [header.value for header in app.subheader]
    # A TF-IDF model is not compared with its own identical baseline (issue 27).
    assert not [box for box in app.selectbox if box.key == "eval_compare_with"]
    assert "No other run to compare with yet" in texts(app.caption)
    app.button(key="eval_curve").click().run()
    assert not app.exception
    model_id, curve = app.session_state["eval_curve_result"]
    assert model_id == app.session_state["selected_model"]
    assert [share for share, _ in curve["points"]] == [0.1, 0.2, 0.4, 0.7, 1.0]
    assert curve["rows"][-1] == 2500 - 250      # every row but the model's 250 test texts
    # The 100 % point is the quick model's, and the page says so next to the model's own figure (issue 27).
    own = app.session_state["models"][model_id]["bundle"].metrics["test"]["accuracy"]
    assert f"The 100 % point ({curve['points'][-1][1]:.1%}) is the quick model" in texts(app.caption)
    assert f"this model scored {own:.1%}" in texts(app.caption)
    reading = texts(app.info) + texts(app.warning)
    assert "Still rising" in reading or "Flat at" in reading
    flagged = next(iter(app.session_state["memo"]["eval_label_issues"].values()))
    assert flagged and sum(dataset.texts.index(issue["text"]) in planted for issue in flagged) / len(flagged) >= 0.6
    app.button(key="eval_labels_review").click().run()
    assert not app.exception
    handed = app.session_state["label_issues"]["issues"]
    # Each flagged test text is found again as its row of the file, the table drawn on the Data page.
    assert handed and all(dataset.texts[issue["row"]] == issue["text"] for issue in handed)
    assert "labels look wrong" in texts(app.warning)

