"""What a new user tripped over (issue 17), through AppTest: choices that belong to a file, choices
kept as values across a change of language, the data set coming back after a reload, a refused
upload that does not pose as the data in use, and a finished run that no longer says "Training"."""

import ast
import io
import os

import pandas as pd
from streamlit.testing.v1 import AppTest

from core.training.jobs import get_job, wait
from tests.conftest import ROOT
from tests.pages.conftest import APP, load_sample, new_app, texts
from ui import state


def reviews_xlsx() -> bytes:
    """The kind of file the new user uploaded: an Excel sheet with Chinese column names."""
    frame = pd.DataFrame({"编号": range(1, 61),
                          "评论内容": [f"第{i}次买，质量很好，还会再来" if i % 2 else f"第{i}次买，太差了，不会再买" for i in range(60)],
                          "情感": ["正面" if i % 2 else "负面" for i in range(60)]})
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


def columns_shown(app: AppTest) -> tuple:
    return app.multiselect(key="data_text_col").value, app.selectbox(key="data_label_col").value


def switch_language(app: AppTest, lang: str) -> AppTest:
    """Through the sidebar's switch, as a user does (AppTest draws the sidebar only when the
    whole app runs)."""
    app.switch_page("app.py").run()
    app.selectbox(key="lang_select").set_value(lang).run()
    assert not app.exception
    return app


def test_a_new_file_starts_with_its_own_choices_and_each_file_keeps_them():
    app, workbook = load_sample(new_app()), reviews_xlsx()
    assert columns_shown(app) == (["text"], "label")
    app.file_uploader[0].set_value(("评论.xlsx", workbook, "application/octet-stream")).run()
    assert not app.exception and not app.error
    assert columns_shown(app) == (["评论内容"], "情感")
    assert not [caption for caption in texts(app.caption).splitlines() if caption.startswith("Columns separated by")]
    app.checkbox(key="data_drop_duplicates").check().run()
    assert columns_shown(app) == (["评论内容"], "情感")          # they stay at the next click
    assert "Ready: 60 labelled texts in 2 classes." in texts(app.success)

    app.button(key="sample_sms_spam").click().run()                # another file: its own choices
    assert columns_shown(app) == (["text"], "label") and app.checkbox(key="data_drop_duplicates").value is False
    assert "Columns separated by: ," in texts(app.caption)
    app.file_uploader[0].set_value(("评论.xlsx", workbook, "application/octet-stream")).run()
    assert app.checkbox(key="data_drop_duplicates").value is True   # the same file: what was chosen for it


def test_choices_are_values_and_survive_a_change_of_language():
    app = new_app()
    rows = ["房间很干净，服务也好,好评"] * 3 + [f"第{i}次入住，早餐一般,差评" for i in range(30)]
    raw = ("text,label\n" + "\n".join(rows) + "\n").encode("gbk")
    app.file_uploader[0].set_value(("酒店.csv", raw, "text/csv")).run()
    assert app.selectbox(key="data_encoding").value == "auto"
    switch_language(app, "zh")
    assert app.title[0].value == "您的数据"
    assert app.selectbox(key="data_encoding").value == "auto"     # not the words "Detected: gb18030"
    assert not app.error
    app.file_uploader[0].set_value(("评论.xlsx", reviews_xlsx(), "application/octet-stream")).run()
    assert not app.exception and not app.error                   # no "无法按 Detected: utf-8 编码解码"
    assert columns_shown(app) == (["评论内容"], "情感")
    app.checkbox(key="data_drop_duplicates").check().run()
    assert columns_shown(app) == (["评论内容"], "情感") and not app.error


def _translated_widget_keys(path) -> set:
    """Keys of the widgets in ``path`` whose options are shown through a catalog lookup."""
    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        arguments = {keyword.arg: keyword.value for keyword in node.keywords}
        shown = arguments.get("format_func")
        translated = shown is not None and any(isinstance(inner, ast.Call) and getattr(inner.func, "id", "") == "t"
                                               for inner in ast.walk(shown))
        if translated or (isinstance(shown, ast.Name) and shown.id == "label"):
            key = arguments.get("key")
            if isinstance(key, ast.Attribute) and ast.unparse(key.value) == "state":   # state.SOME_KEY
                keys.add(getattr(state, key.attr))
            elif isinstance(key, ast.Constant):
                keys.add(key.value)
            else:                                    # a key made from a setting (the Train page's knobs)
                keys.add("<computed>")
    return keys


def test_every_widget_shown_in_translated_words_is_pinned_before_a_language_change():
    found = set()
    for path in [*(ROOT / "pages").glob("*.py"), ROOT / "ui" / "common.py"]:
        found |= _translated_widget_keys(path)
    found.discard("<computed>")
    found.discard("model_pick")     # ui.common.model_picker's own key argument: its callers pass these
    assert found - {"model_pick"} <= set(state.TRANSLATED_CHOICES), found - set(state.TRANSLATED_CHOICES)
    from core.models.settings import page_settings

    for knob in page_settings():     # radios show translated options; the L2 slider shows "Off"
        if knob.widget == "radio" or knob.zero_off and knob.widget == "select_slider":
            assert knob.key in state.TRANSLATED_CHOICES, knob.key


def test_pages_keep_state_under_declared_keys():
    """House rule 4: no page invents a session-state key; each one is declared in ui/state.py."""
    for path in (ROOT / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            literal = None
            if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "st.session_state":
                literal = node.slice
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and ast.unparse(node.func.value) == "st.session_state" and node.args):
                literal = node.args[0]
            assert not isinstance(literal, (ast.Constant, ast.JoinedStr)), \
                f"{path.name}: {ast.unparse(node)} — declare the key in ui/state.py"


def test_a_reload_brings_back_the_data_set_and_its_choices():
    app = load_sample(new_app(), "thucnews_titles")
    workspace = app.session_state["workspace"]
    app.checkbox(key="data_drop_duplicates").check().run()
    rows = len(app.session_state["dataset"])
    assert rows < 3000                                   # the sample repeats a title
    app.switch_page("pages/preprocess.py").run()
    app.radio(key="prep_tokenizer").set_value("char").run()
    assert app.session_state["preprocess"].tokenizer == "char"

    again = AppTest.from_file(APP, default_timeout=120)   # a reloaded tab: a new session, the same ?ws=
    again.query_params["ws"] = workspace
    again.run()
    assert not again.exception
    assert again.session_state["dataset"] is not None and len(again.session_state["dataset"]) == rows
    assert f"Ready: {rows:,} labelled texts in 10 classes." in texts(again.success)
    assert again.checkbox(key="data_drop_duplicates").value is True
    assert again.session_state["preprocess"].tokenizer == "char"
    again.switch_page("pages/train.py").run()
    assert "Load a data set first" not in texts(again.info)
    assert f"Data: thucnews_titles · {rows:,} texts · 10 classes · split into Characters" in texts(again.caption)

    fresh = new_app()      # another workspace has nothing of it
    assert fresh.session_state["dataset"] is None


def test_what_is_shown_what_is_saved_and_what_trains_agree_through_file_switches_and_reloads():
    """Issue 27's reproduction: a file with duplicates, "Drop duplicate rows" ticked, another
    sample, the same file again (ticked), a reload: the reload showed the rows the user had
    removed, unticked, and Train counted them. At every step the widgets, the workspace's saved
    choices and the data set that would train must agree."""
    from core.store import ModelStore

    rows = [f"review number {i % 50} of the shop,{'good' if i % 2 else 'bad'}" for i in range(300)]
    raw = ("text,label\n" + "\n".join(rows) + "\n").encode()     # 300 rows, 50 of them distinct
    app = new_app()
    workspace = app.session_state["workspace"]

    def agree(session: AppTest, drop: bool, kept: int) -> None:
        saved = ModelStore(os.environ["STUDIO_DATA_DIR"], workspace).current_data().load()["choices"]
        assert session.checkbox(key="data_drop_duplicates").value is drop           # shown
        assert saved is not None and saved.drop_duplicates is drop                  # saved
        assert len(session.session_state["dataset"]) == kept                        # what trains
        session.switch_page("pages/train.py").run()
        assert f"· {kept:,} texts ·" in texts(session.caption)
        session.switch_page("pages/data.py").run()
        assert session.checkbox(key="data_drop_duplicates").value is drop           # after a page change

    app.switch_page("pages/data.py").run()
    app.file_uploader[0].set_value(("reviews.csv", raw, "text/csv")).run()
    app.checkbox(key="data_drop_duplicates").check().run()
    agree(app, True, 50)
    app.button(key="sample_sms_spam").click().run()
    app.file_uploader[0].set_value(("reviews.csv", raw, "text/csv")).run()
    agree(app, True, 50)
    again = AppTest.from_file(APP, default_timeout=120)     # a reload: a new session, the same ?ws=
    again.query_params["ws"] = workspace
    again.run()
    again.switch_page("pages/data.py").run()
    agree(again, True, 50)
    again.checkbox(key="data_drop_duplicates").uncheck().run()
    agree(again, False, 300)


def test_a_refused_upload_does_not_pose_as_the_data_in_use():
    app = load_sample(new_app())
    raw = (ROOT / "tests" / "data" / "image_renamed.csv").read_bytes()
    app.file_uploader[0].set_value(("photo.csv", raw, "text/csv")).run()
    assert "is a PNG image, not a table" in texts(app.error)
    assert "Nothing changed: the data in use is still sms_spam.csv (2,500 rows)." in texts(app.info)
    assert not app.success and not app.dataframe                   # no "Ready: 2,500 …" under the error
    app.run()                                                      # still refused while it sits in the box
    assert "is a PNG image, not a table" in texts(app.error) and not app.success
    app.button(key="sample_thucnews_titles").click().run()          # loading another file clears it
    assert not app.error and "Ready: 3,000 labelled texts in 10 classes." in texts(app.success)


def test_a_finished_run_says_so_with_one_training_time_and_goes_away_with_other_data():
    app = load_sample(new_app())
    app.switch_page("pages/train.py").run()
    app.radio(key="train_kind").set_value("keras").run()   # the network alone (Automatic is the default)
    app.number_input(key="train_epochs").set_value(1)
    app.number_input(key="train_embedding_dim").set_value(8)
    app.number_input(key="train_lstm_units").set_value(8)
    app.text_input(key="train_name").input("quick")
    app.button(key="train_start").click().run()
    job = get_job(app.session_state["job_id"])
    assert wait(job, timeout=300).state == "done"
    app.run()
    headings = [header.value for header in app.subheader]
    assert "Trained: “quick”" in headings and "Training “quick”" not in headings
    bundle = next(iter(app.session_state["models"].values()))["bundle"]
    trained = f"{bundle.metrics['train_seconds']:.1f}"
    done = texts(app.success)
    assert f"of which training took {trained} s (1 epoch)" in done and "Done in " in done
    assert app.dataframe[0].value["Training time (s)"].tolist() == [trained]
    app.switch_page("pages/evaluate.py").run()
    verdict = texts(app.success) + texts(app.info) + texts(app.warning)
    assert f"{trained} s" in verdict

    load_sample(app, "thucnews_titles")
    app.switch_page("pages/train.py").run()
    assert not [heading for heading in (header.value for header in app.subheader) if "quick" in heading]
    assert app.dataframe[0].value["Name"].tolist() == ["quick"]     # the model itself is still listed


def test_clicking_the_chosen_preset_again_keeps_it():
    """A segmented control lets a click on the chosen option clear it; the preset must stay (CI
    once saw the Train page fail with KeyError: None in its preset callback)."""
    app = load_sample(new_app())
    app.switch_page("pages/train.py").run()
    app.radio(key="train_kind").set_value("keras").run()
    app.segmented_control(key="train_preset").set_value("fast").run()
    units = app.number_input(key="train_lstm_units").value
    app.segmented_control(key="train_preset").set_value(None).run()
    assert not app.exception
    assert app.segmented_control(key="train_preset").value == "fast"
    assert app.number_input(key="train_lstm_units").value == units
    app.number_input(key="train_epochs").set_value(3).run()     # the next rerun keeps it too
    assert not app.exception and app.segmented_control(key="train_preset").value == "fast"


def test_the_train_page_keeps_what_the_user_set_across_pages():
    """Streamlit forgets a widget's value when another page runs: the settings of the last run
    (and the preset chosen) come back instead of the preset's."""
    app = load_sample(new_app())
    app.switch_page("pages/train.py").run()
    app.radio(key="train_kind").set_value("keras").run()   # the network alone (Automatic is the default)
    app.segmented_control(key="train_preset").set_value("fast").run()
    app.radio(key="train_optimizer").set_value("sgd")
    app.number_input(key="train_epochs").set_value(1)
    app.number_input(key="train_lstm_units").set_value(8)
    app.button(key="train_start").click().run()
    wait(get_job(app.session_state["job_id"]), timeout=300)
    app.switch_page("pages/preprocess.py").run()
    app.switch_page("pages/train.py").run()
    assert app.segmented_control(key="train_preset").value == "fast"
    assert (app.radio(key="train_optimizer").value, app.number_input(key="train_epochs").value,
            app.number_input(key="train_lstm_units").value, app.radio(key="train_rnn").value) == ("sgd", 1, 8, "gru")
    load_sample(app, "thucnews_titles")                  # other data: its own presets again
    app.switch_page("pages/train.py").run()
    assert app.segmented_control(key="train_preset").value == "balanced"
    assert app.radio(key="train_optimizer").value == "adam"


def test_widget_values_of_another_file_never_replace_the_saved_choices():
    """Issue 27: the Data page once came back with no text column and the label column set to
    the text column; a value that does not fit the loaded table now falls back to the saved one."""
    app = load_sample(new_app(), "thucnews_titles")
    saved = app.session_state["file_choices"][app.session_state["data_file"]]
    app.switch_page("pages/train.py").run()
    app.session_state["data_text_col"] = ["review"]          # columns of another file
    app.session_state["data_label_col"] = "sentiment"
    app.switch_page("pages/data.py").run()
    assert not app.exception
    assert app.session_state["file_choices"][app.session_state["data_file"]].text_columns == saved.text_columns
    assert app.session_state["file_choices"][app.session_state["data_file"]].label_column == saved.label_column
    assert app.session_state["dataset"] is not None and app.selectbox(key="data_label_col").value == saved.label_column
