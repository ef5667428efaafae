"""Shared page chrome: translation shortcut, language switch, guards and error display."""

from __future__ import annotations

import json
import logging
import uuid

import streamlit as st

from core.base.config import ModelConfig
from core.base.i18n import LANGUAGES, pick_language, server_language, translate
from core.base.quiet import import_tensorflow, tensorflow_imported
from core.models.baseline import NAME_KEYS
from core.models.settings import setting
from core.training.train import device_info
from ui import state


def lang() -> str:
    """The session's language. Outside a script run (AppTest formats a widget's options after
    the run) it is the language of the last run, so options read back as they were shown."""
    chosen = st.session_state.get(state.LANG)
    if chosen:
        _LAST_RUN[0] = chosen
    return chosen or _LAST_RUN[0] or server_language()


_LAST_RUN = [None]


def t(key: str, **params) -> str:
    """The catalog message ``key`` in the session's language."""
    return translate(key, lang(), **params)


def init_language() -> None:
    """Language from the URL (``?lang=zh``), else the browser's, else English; kept in the URL."""
    if st.session_state.get(state.LANG) is None:
        chosen = st.query_params.get("lang")
        if chosen not in LANGUAGES:
            chosen = pick_language(st.context.headers.get("Accept-Language") if st.context.headers else None)
        st.session_state[state.LANG] = chosen
    if st.query_params.get("lang") != st.session_state[state.LANG]:
        st.query_params["lang"] = st.session_state[state.LANG]


def language_switch() -> None:
    """The sidebar's language selector."""

    def changed():
        state.pin_choices()  # while the old words still read back as values
        st.session_state[state.LANG] = st.session_state["lang_select"]
        st.query_params["lang"] = st.session_state[state.LANG]

    options = list(LANGUAGES)
    st.sidebar.selectbox(t("app.language"), options, index=options.index(lang()),
                         format_func=LANGUAGES.get, key="lang_select", on_change=changed,
                         placeholder=t("common.choose_one"))


def describe_changes(changes: dict) -> str:
    """Settings changes in the user's words: "Dropout → 0.4 · Recurrent units → 64" (labels and
    on/off as :mod:`core.models.settings` describes each setting)."""
    parts = []
    for name, value in changes.items():
        label, shown = setting(name).describe(value)
        parts.append(f"{t(label)} → {t(shown) if shown in ('app.on', 'app.off') else shown}")
    return " · ".join(parts)


def settings_summary(bundle) -> str:
    """One line about a model's settings for the models tables."""
    info = bundle.info
    if bundle.kind == "tfidf":
        return t("train.settings_tfidf", name=t(NAME_KEYS.get(getattr(bundle.model, "method", "lr"), NAME_KEYS["lr"])),
                 features=info.features or len(bundle.vocabulary))
    model, train = info.model or ModelConfig(), info.train
    if bundle.kind == "blend":
        return t("train.settings_blend", weight=f"{bundle.weight:.2f}", network=t(
            "train.settings_summary", rnn=t(f"train.rnn_{model.rnn}"), embedding=model.embedding_dim,
            units=model.lstm_units, optimizer=train.optimizer, lr=train.learning_rate, batch=train.batch_size))
    return t("train.settings_summary", rnn=t(f"train.rnn_{model.rnn}"), embedding=model.embedding_dim,
             units=model.lstm_units, optimizer=train.optimizer, lr=train.learning_rate, batch=train.batch_size)


def error_boundary(draw) -> None:
    """Run ``draw()``; an unexpected error goes to the server log with an id, and the user sees
    a friendly line with that id instead of a traceback."""
    try:
        draw()
    except Exception:
        error_id = uuid.uuid4().hex[:8]
        logging.getLogger("studio").exception("unexpected error %s", error_id)
        st.error(t("app.unexpected_error", error_id=error_id), icon=":material/error:")


# The catalog prefix of each page and its address (url path in app.py's navigation).
PAGE_PATHS = {"data": "data", "prep": "preprocess", "train": "train", "eval": "evaluate", "pred": "predict",
              "models": "models", "label": "label"}


# The pages that build, train, load or run Keras models: they wait for TensorFlow (which
# app.py imports in the background after the first page) through core.base.quiet, so that its
# start-up lines stay off the terminal however soon the user gets there.
TENSORFLOW_PAGES = ("train", "eval", "pred", "models")


def page_header(page: str) -> None:
    """Start a page: send a run that did not come through ``app.py`` there (the one place that
    guards every page, see :func:`ui.state.require_app`), then its title and one-line
    explanation; a page of :data:`TENSORFLOW_PAGES` then waits for TensorFlow, saying so."""
    state.require_app(PAGE_PATHS[page])
    st.title(t(f"{page}.title"))
    st.caption(t(f"{page}.intro"))
    streamlit_strings()
    if page in TENSORFLOW_PAGES:
        if not tensorflow_imported():
            with st.spinner(t("app.loading_tensorflow")):
                import_tensorflow()


# Streamlit's file uploader writes its own English ("Upload", "200MB per file", "Drag and drop a
# file here") and has no setting for it. A small script put into the page once translates those
# text nodes inside file uploaders whenever they appear (a MutationObserver), from the words this
# page run hands it; English hands none, and the originals come back. Keyed on Streamlit's
# data-testid and its exact English, it does nothing to a later Streamlit that words it otherwise.
# It also puts in a style that lets Streamlit's one-line texts wrap where it would cut them.
STRINGS_SCRIPT = """<script>
const doc = window.parent.document;
doc.__studioUiStrings = %s;
if (!doc.__studioUiObserver) {
  // Streamlit cuts some of its own one-line texts with "…" (the uploader's list of file types,
  // a metric's label): longer in Chinese, they were clipped. Let them wrap instead.
  const style = doc.createElement("style");
  style.textContent = `[data-testid="stFileUploaderDropzoneInstructions"] *, [data-testid="stMetricLabel"] * {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }`;
  doc.head.appendChild(style);
  const script = doc.createElement("script");
  script.textContent = `(() => {
    const apply = () => {
      const strings = document.__studioUiStrings || {exact: {}, patterns: []};
      for (const root of document.querySelectorAll('[data-testid="stFileUploader"]')) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (node.__studioShown !== node.nodeValue) node.__studioOriginal = node.nodeValue;
          const original = node.__studioOriginal, key = original.trim();
          let text = key in strings.exact ? original.replace(key, strings.exact[key]) : original;
          for (const [source, target] of strings.patterns) text = text.replace(new RegExp(source), target);
          node.__studioShown = text;
          if (text !== node.nodeValue) node.nodeValue = text;
        }
      }
    };
    document.__studioUiApply = apply;
    new MutationObserver(apply).observe(document.body, {childList: true, subtree: true, characterData: true});
    document.__studioUiObserver = true;
    apply();
  })();`;
  doc.head.appendChild(script);
} else if (doc.__studioUiApply) {
  doc.__studioUiApply();
}
</script>"""


def streamlit_strings() -> None:
    """Translate Streamlit's own words in this page's file uploaders (see :data:`STRINGS_SCRIPT`)."""
    if lang() == "en":
        strings = {"exact": {}, "patterns": []}
    else:
        strings = {"exact": {"Upload": t("st.upload"), "Drag and drop a file here": t("st.drag_file"),
                             "Drag and drop files here": t("st.drag_file")},
                   "patterns": [["^(\\S+) per file$", t("st.per_file", size="$1")]]}
    st.iframe(STRINGS_SCRIPT % json.dumps(strings, ensure_ascii=False), height=1)


def show_error(error) -> None:
    """Show a core.base.errors.UserError in the user's language."""
    st.error(error.message(lang()), icon=":material/warning:")


def require_dataset():
    """The validated data set, or a pointer to the Data page and a stop."""
    dataset = st.session_state.get(state.DATASET)
    if dataset is None:
        st.info(t("guard.no_data"), icon=":material/info:")
        st.page_link("pages/data.py", label=t("nav.data"), icon=":material/table_view:")
        st.stop()
    return dataset


def require_models() -> dict:
    """This session's trained models, or a pointer to the Train page and a stop."""
    models = st.session_state.get(state.MODELS) or {}
    if not models:
        st.info(t("guard.no_model"), icon=":material/info:")
        st.page_link("pages/train.py", label=t("nav.train"), icon=":material/model_training:")
        st.stop()
    return models


def model_picker(key: str):
    """Select box over the session's models (newest first); returns ``(model_id, record)``, the
    record with the bundle as stored now (:func:`ui.state.fresh_record`)."""
    models = require_models()
    ids = list(reversed(list(models)))
    if st.session_state.get(key) not in ids:
        selected = st.session_state.get(state.SELECTED_MODEL)
        if selected not in ids:  # nothing chosen yet: the workspace's default model, else the newest
            selected = next((model_id for model_id in ids if models[model_id]["entry"].is_default), ids[0])
        st.session_state[key] = selected

    def label(model_id):
        record = models[model_id]
        accuracy = record["bundle"].info.val_accuracy
        return t("model.option", name=record["entry"].name, accuracy=f"{accuracy:.1%}")

    model_id = st.selectbox(t("model.pick"), ids, format_func=label, key=key, placeholder=t("common.choose_one"))
    st.session_state[state.SELECTED_MODEL] = model_id
    return model_id, state.fresh_record(model_id)


@st.cache_resource(show_spinner=False)
def device() -> dict:
    """The training device, looked up once per server process."""
    return device_info()


def device_label() -> str:
    info = device()
    if info["kind"] == "GPU":
        return t("device.gpu", name=info["name"])
    return t("device.cpu", cores=info.get("cores", 1))
