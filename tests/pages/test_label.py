"""Issue 19's Label page: a batch proposed from the unlabelled texts, labelled one click each,
the labels joining the data, the curve growing after each batch."""

from tests.pages.conftest import load_sample, new_app, texts
from tests.pages.test_auto import UNLABELLED


def test_label_a_batch_and_the_labels_join_the_data_and_the_curve_grows():
    app = load_sample(new_app())
    app.switch_page("pages/label.py").run()
    assert "No unlabelled texts yet" in texts(app.info)
    app.switch_page("pages/data.py").run()
    app.file_uploader(key="data_unlabelled_upload").set_value(("more.csv", UNLABELLED, "text/csv")).run()
    rows = len(app.session_state["dataset"])
    app.switch_page("pages/label.py").run()
    assert not app.exception
    app.number_input(key="label_batch_size").set_value(5)
    app.button(key="label_propose").click().run()
    batch = app.session_state["label_batch"]
    # Six different messages repeated 20 times: five different ones proposed, no copy twice.
    pool = app.session_state["memo"]["label_pool"]
    shown = [next(iter(pool.values())).texts[row] for row in batch["rows"]]
    assert len(shown) == 5 and len(set(shown)) == 5
    assert [button.label for button in app.button][:3] == ["[1] ham", "[2] spam", "[0] Skip"]
    app.button(key="label_class_1").click().run()            # spam
    app.button(key="label_skip").click().run()
    app.button(key="label_class_0").click().run()            # ham
    app.text_input(key="label_new_class").input("question")
    app.button(key="label_add_class").click().run()          # a new class
    app.button(key="label_class_0").click().run()
    assert not app.exception
    added = app.session_state["file_choices"][app.session_state["data_file"]].added
    assert [label for _, label in added] == ["spam", "ham", "question", "ham"]
    assert [text for text, _ in added] == [shown[0], shown[2], shown[3], shown[4]]
    dataset = app.session_state["dataset"]
    assert len(dataset) == rows + 4 and "question" in dataset.label_names
    assert "Batch of 5 done" in texts(app.success)
    # Undo takes back the last answer (issue 27): its label leaves the data, the text is asked again.
    app.button(key="label_undo").click().run()
    assert [label for _, label in app.session_state["file_choices"][app.session_state["data_file"]].added] == [
        "spam", "ham", "question"]
    assert len(app.session_state["dataset"]) == rows + 3 and "Text 5 of 5" in str(app.get("progress")[0].proto.text)
    app.button(key="label_skip").click().run()
    app.button(key="label_undo").click().run()                # a skip undone: the same text again
    assert "Text 5 of 5" in str(app.get("progress")[0].proto.text)
    app.button(key="label_class_0").click().run()
    assert "Batch of 5 done" in texts(app.success)
    curve = app.session_state["label_curve"]
    assert [count for count, _ in curve][0] == 0 and curve[-1][0] == 4 and all(0.5 < accuracy <= 1 for _, accuracy in curve)
    # The next batch never shows a text labelled already.
    app.button(key="label_propose").click().run()
    pool_texts = next(iter(app.session_state["memo"]["label_pool"].values())).texts
    assert not {pool_texts[row] for row in app.session_state["label_batch"]["rows"]} & {text for text, _ in added}
    app.switch_page("pages/data.py").run()
    assert "4 texts you labelled on the Label page are part of the data" in texts(app.info)
    # Texts labelled here are no longer counted as unlabelled (issue 27: counted twice). Each of the
    # four labelled messages stood 20 times in the file of 120.
    assert "In all 40 unlabelled texts for word vectors" in texts(app.caption)


def test_the_batch_and_the_curve_come_back_after_a_reload():
    """Issue 27: a reload lost the batch under way and the accuracy curve."""
    from streamlit.testing.v1 import AppTest

    from tests.pages.conftest import APP

    lines = UNLABELLED.decode().splitlines()[1:7]
    distinct = ("message\n" + "\n".join(f"{line} {i}" for line in lines for i in range(4)) + "\n").encode()
    app = load_sample(new_app())
    app.file_uploader(key="data_unlabelled_upload").set_value(("more.csv", distinct, "text/csv")).run()
    app.switch_page("pages/label.py").run()
    app.number_input(key="label_batch_size").set_value(5)
    app.button(key="label_propose").click().run()
    for _ in range(5):
        app.button(key="label_class_0").click().run()
    app.button(key="label_propose").click().run()
    app.button(key="label_class_1").click().run()              # one text into the second batch
    batch, curve = app.session_state["label_batch"], app.session_state["label_curve"]
    assert len(curve) == 2 and batch["position"] == 1, (curve, batch)

    again = AppTest.from_file(APP, default_timeout=120)        # a reloaded tab: a new session, the same ?ws=
    again.query_params["ws"] = app.session_state["workspace"]
    again.run()
    again.switch_page("pages/label.py").run()
    assert not again.exception
    assert again.session_state["label_batch"]["rows"] == batch["rows"]
    assert f"Text 2 of {len(batch['rows'])}" in str(again.get("progress")[0].proto.text)
    assert again.session_state["label_curve"] == curve
    assert [chart for chart in again.get("plotly_chart") if "label_curve_chart" in str(chart.proto.id)]
    # Undo still works on the restored batch: the answer before the reload is taken back.
    again.button(key="label_undo").click().run()
    assert f"Text 1 of {len(batch['rows'])}" in str(again.get("progress")[0].proto.text)
    assert len(again.session_state["file_choices"][again.session_state["data_file"]].added) == 5
