"""Every string a page shows comes from the message catalog (core/messages*.py).

Each page is driven in Chinese through AppTest, with the Chinese sample loaded and a tiny model
trained, and every title, caption, message, widget label, option, help text, metric label and
expander label is matched against the catalog's Chinese templates (a ``{field}`` matches any
value). A literal left in a page, or a string shown in English on the Chinese UI, fails here.
"""

import re
import string

import pytest
from streamlit.testing.v1 import AppTest

from core.base.i18n import MESSAGES
from core.training.jobs import get_job, wait
from tests.conftest import ROOT

ICON = re.compile(r":material/[a-z_]+:\s*")
MARKUP = re.compile(r"^[#\s]+|\*\*")


def template_pattern(template: str) -> re.Pattern:
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(".+?")
    return re.compile("".join(parts), re.DOTALL)


PATTERNS = [template_pattern(entry["zh"]) for entry in MESSAGES.values()]


def shown_strings(app: AppTest) -> list[str]:
    shown = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        shown += [str(element.value) for element in getattr(app, kind)]
    for kind in ("button", "checkbox", "radio", "selectbox", "multiselect", "number_input", "text_area",
                 "text_input", "toggle", "slider", "select_slider", "segmented_control"):
        for widget in getattr(app, kind):
            shown.append(widget.label)
            if getattr(widget, "help", None):
                shown.append(widget.help)
            if kind in ("radio", "segmented_control"):
                shown += [str(option) for option in widget.options]
    shown += [metric.label for metric in app.metric]
    shown += [expander.label for expander in app.expander]
    shown += [tab.label for tab in app.tabs]
    return [text for text in shown if text]


def not_in_catalog(app: AppTest, data: set[str]) -> list[str]:
    strange = []
    for text in shown_strings(app):
        bare = MARKUP.sub("", ICON.sub("", text)).strip()
        if not bare or bare in data:
            continue
        if not any(pattern.fullmatch(bare) for pattern in PATTERNS):
            strange.append(bare)
    return strange


@pytest.fixture
def chinese_app(monkeypatch):
    # The server's language is Chinese too, so AppTest's own calls of the pages' format_func
    # (made outside a script run) format options as the page did.
    monkeypatch.setenv("STUDIO_LANG", "zh")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    app.run()
    return app


def test_every_page_in_chinese_shows_only_catalog_strings(chinese_app):
    app = chinese_app
    seen = {}
    # Column names and labels of the data are the user's, not ours.
    data = {"text", "label", "language"}
    app.switch_page("pages/data.py").run()
    assert app.title[0].value == "您的数据"
    seen["data (empty)"] = not_in_catalog(app, data)
    app.button(key="sample_thucnews_titles").click().run()
    seen["data"] = not_in_catalog(app, data)
    app.switch_page("pages/preprocess.py").run()
    app.checkbox(key="prep_stopwords").check().run()
    seen["preprocess"] = not_in_catalog(app, data)
    app.switch_page("pages/train.py").run()
    app.radio(key="train_kind").set_value("keras").run()   # the network alone (Automatic is the default)
    seen["train (before)"] = not_in_catalog(app, data)
    app.number_input(key="train_epochs").set_value(1)
    app.number_input(key="train_embedding_dim").set_value(16)
    app.number_input(key="train_lstm_units").set_value(16)
    app.button(key="train_start").click().run()
    assert wait(get_job(app.session_state["job_id"]), timeout=300).state == "done"
    app.run()
    seen["train (after)"] = not_in_catalog(app, data)
    model_names = {record["entry"].name for record in app.session_state["models"].values()}
    app.switch_page("pages/evaluate.py").run()
    seen["evaluate"] = not_in_catalog(app, data | model_names)
    # Issue 17: the floor (always guessing) and the TF-IDF baseline are named apart.
    floor = [metric for metric in app.metric if metric.label.startswith("下限：总猜")]
    assert floor and "较下限" in app.metric[0].proto.delta
    verdicts = "\n".join(str(element.value) for kind in ("success", "info", "warning") for element in getattr(app, kind))
    assert "线性基线" in verdicts and "普通基线" not in verdicts and "较基线" not in app.metric[0].proto.delta
    app.switch_page("pages/predict.py").run()
    app.text_area(key="predict_text").input("央行宣布下调存款准备金率").run()
    seen["predict"] = not_in_catalog(app, data | model_names)
    assert not app.exception
    app.switch_page("pages/models.py").run()
    entries = [record["entry"] for record in app.session_state["models"].values()]
    stored = {value for entry in entries for value in (entry.model_id, entry.dataset, entry.fingerprint,
                                                       entry.created.replace("T", " "))}
    seen["models"] = not_in_catalog(app, data | model_names | stored)
    assert not app.exception
    # Issue 19: the label check on the Data page and the Label page.
    app.switch_page("pages/data.py").run()
    pool = "\n".join(["text", "央行宣布降准", "球队赢得冠军", "新款手机发布", "股市大幅上涨", "电影票房创新高"] * 3)
    app.file_uploader(key="data_unlabelled_upload").set_value(("pool.csv", pool.encode(), "text/csv")).run()
    app.button(key="data_labels_check").click().run()
    seen["data (labels)"] = not_in_catalog(app, data)
    app.switch_page("pages/label.py").run()
    app.button(key="label_propose").click().run()
    classes = set(app.session_state["dataset"].label_names)
    seen["label"] = not_in_catalog(app, data | classes)
    assert not app.exception
    assert {page: strings for page, strings in seen.items() if strings} == {}


def test_the_checker_catches_a_literal():
    app = AppTest.from_string('import streamlit as st\nst.title("您的数据")\nst.caption("Hard-coded English")\n')
    app.run()
    assert not_in_catalog(app, set()) == ["Hard-coded English"]
