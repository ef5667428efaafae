"""Session state: every key the app keeps, declared once (house rule 4), and the helpers that
change them.

Two rules keep a user's choices safe:

* **Choices are kept as values.** A widget's value reaches the server as the words it shows
  (Streamlit matches them back to an option), so after a change of language a translated
  option would no longer match. :func:`pin_choices` writes every translated choice back as its
  value before the language changes; the Data page's choices live as a
  :class:`core.data.dataset.DataChoices` per file (:data:`FILE_CHOICES`), never as widget text.
* **Choices belong to what they were made for.** Loading a different file or sample gives its
  own choices (the guessed columns, the detected encoding, nothing dropped); the same file read
  again keeps them. Streamlit forgets a widget's value whenever a page without that widget
  runs, so the Data and Train pages give their widgets back what was kept (:func:`hold`).

The workspace's current data set is also kept on disk (:mod:`core.data.current`), so a reloaded tab
— a new session — gets it back (:func:`restore_current_data`).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import weakref
from dataclasses import replace

import streamlit as st

from core.base.errors import UserError
from core.data.dataset import (
    DataChoices,
    file_key,
    guess_choices,
    max_rows,
    read_with_choices,
    unlabelled_texts,
    validate,
)
from core.data.reading import load_table
from core.models.bundle import Bundle
from core.models.vectors import file_coverage, keep_upload
from core.store import ModelStore, known_workspace, new_workspace_id, storage_errors
from core.text import PreprocessConfig
from core.training.jobs import active_job, get_job, recover

LANG = "lang"
SOURCE_NAME = "source_name"        # file name of the loaded table, without its extension
TABLE = "table"                    # core.data.dataset.Table: the table as read (never modified)
RAW = "raw"                        # the uploaded bytes, to read again with another encoding/sheet
DATA_FILE = "data_file"            # core.data.dataset.file_key of the loaded file
FILE_CHOICES = "file_choices"      # file key -> core.data.dataset.DataChoices made for that file
LOAD_ERROR = "load_error"          # a UserError: a new file (paste, sample) could not be read; shown once
REREAD_ERROR = "reread_error"      # a UserError: the file could not be read with the encoding or sheet chosen
REJECTED = "rejected"              # (upload file_id, UserError): the upload in the box could not be read
UPLOAD_ID = "upload_id"            # file_id of the upload already read
DATASET = "dataset"                # core.data.dataset.DataSet after validation
REPORT = "report"                  # core.data.dataset.DataReport
DATASET_SIGNATURE = "dataset_signature"   # what makes a different data set (see dataset_signature)
DATASET_VERSION = "dataset_version"       # counts the validated data sets, to key what is computed from one
PREPROCESS = "preprocess"          # core.text.PreprocessConfig
UNLABELLED = "unlabelled"          # {"name", "texts", "cut"}: the workspace's file of unlabelled texts (issue 18)
UNLABELLED_ID = "unlabelled_id"    # file_id of the unlabelled upload already read
DATA_UNLABELLED_UPLOAD = "data_unlabelled_upload"   # the Data page's second uploader (unlabelled texts)
LABEL_ISSUES = "label_issues"      # {"key": (file, columns, corrections), "issues": [LabelIssue dicts]}: the label check
LABEL_HISTORY = "label_history"    # {"corrections", "issues"} before each change made there, newest last (for Undo)
LABEL_THRESHOLD = "label_threshold"  # the label check's bulk button: suggestions at least this sure (%)
LABEL_EDITOR = "data_label_editor" # the table of flagged rows
LABEL_BATCH = "label_batch"        # the Label page's batch: {"rows": pool rows, "texts", "position": the text shown, "answers"}
LABEL_CURVE = "label_curve"        # [[texts labelled here, held-out accuracy of the quick model], ...]
LABEL_BATCH_SIZE = "label_batch_size"
LABEL_NEW_CLASS = "label_new_class"
UNLABELLED_ERROR = "unlabelled_error"   # a UserError: the unlabelled file could not be read; shown once
JOB_ID = "job_id"                  # this session's training job
MODELS = "models"                  # model_id -> {"entry": ModelEntry, "bundle": Bundle}
SELECTED_MODEL = "selected_model"  # model_id picked on Evaluate/Predict
COLLECTED_JOBS = "collected_jobs"  # job ids whose model is already in MODELS
READY_SEEN = "ready_seen"  # (model id, candidate) of the running job's early model already in MODELS
JOB_SHOWN = "job_shown"            # the job whose settings the Train page's widgets show (set once per job)
PREDICT_HEADERS = "predict_headers"  # the Predict page's downloads: True = column names for programs
TRAIN_SCROLL = "train_scroll"      # a run was just started: the Train page scrolls to its live view once
NEXT_RUN = "next_run"              # settings changes chosen on Evaluate for the next training run
WORKSPACE = "workspace"            # this browser user's workspace id (also ?ws= in the URL)
WORKSPACE_NEW = "workspace_new"    # True when this session made the workspace (show the bookmark notice)
WORKSPACE_UNKNOWN = "workspace_unknown"   # True when the address named a workspace this server never issued
MODELS_LOADED = "models_loaded"    # the workspace's stored models are in MODELS
STORE_PROBLEM = "store_problem"    # a core.base.errors.UserError: the model folder cannot be written
AUTHENTICATED = "authenticated"    # the shared password was given (ui.access)
ACCESS_PASSWORD = "access_password"   # the password box
ACCESS_WRONG = "access_wrong"      # (catalog key, params) of the last refused password
KEPT = "kept"                      # widget key -> value, for widgets Streamlit forgets on a page change
MEMO = "memo"                      # name -> {inputs: result}: what pages computed, by their inputs (see memo)

# Widget keys whose values the code reads or sets (buttons, tables and charts are not state).
DATA_TEXT_COL, DATA_LABEL_COL, DATA_ENCODING, DATA_SHEET = "data_text_col", "data_label_col", "data_encoding", "data_sheet"
DATA_DROP_DUPLICATES, DATA_DROP_CONFLICTS = "data_drop_duplicates", "data_drop_conflicts"
DATA_MERGE_LABELS, DATA_DROP_SINGLE, DATA_SAMPLE = "data_merge_labels", "data_drop_single", "data_sample"
DATA_LABEL_NAME = "data_label_name_"   # + the label
DATA_PASTE = "data_paste"
PREP_TOKENIZER = "prep_tokenizer"
TRAIN_KIND, TRAIN_PRESET = "train_kind", "train_preset"
TRAIN_VECTORS, TRAIN_FREEZE = "train_vectors", "train_freeze_vectors"
TRAIN_PRESETS_FOR = "train_presets_for"   # the data set whose presets fill the Train page's widgets
EVAL_FILTER_TRUE, EVAL_FILTER_PREDICTED = "eval_filter_true", "eval_filter_predicted"
EVAL_CELL_SEEN = "eval_cell_seen"      # the confusion-matrix cell last clicked
EVAL_COMPARE_WITH = "eval_compare_with"
EVAL_NOTICE = "eval_notice"            # (kind, catalog key, params) shown once after an action
EVAL_ERROR = "eval_error"              # a UserError from an action, shown once
EVAL_APPLIED = "eval_applied"          # the diagnosis's changes just applied to the next run
EVAL_TFIDF_STARTED = "eval_tfidf_started"
EVAL_CURVE = "eval_curve_result"       # (model id, core.evaluation.curve.learning_curve result)
EVAL_REVIEW = "eval_review"            # the flagged test texts were handed to the Data page: go there
PREDICT_TEXT = "predict_text"
MODELS_NEW_NAME, MODELS_CONFIRM = "models_new_name", "models_confirm"
MODELS_NOTICE, MODELS_ERROR, MODELS_UPLOADED = "models_notice", "models_error", "models_uploaded"

# Widgets whose options are shown in translated words (format_func): their values are pinned
# before the language changes (see pin_choices).
TRANSLATED_CHOICES = (DATA_ENCODING, PREP_TOKENIZER, TRAIN_KIND, TRAIN_PRESET, TRAIN_VECTORS, PREDICT_HEADERS, "train_rnn", "train_optimizer",
                      "train_l2", EVAL_FILTER_TRUE, EVAL_FILTER_PREDICTED, EVAL_COMPARE_WITH, "eval_model",
                      "predict_model")
# The Data page's widgets, by the DataChoices field they show.
DATA_WIDGETS = {"text_columns": DATA_TEXT_COL, "label_column": DATA_LABEL_COL, "encoding": DATA_ENCODING,
                "sheet": DATA_SHEET, "drop_duplicates": DATA_DROP_DUPLICATES, "drop_conflicts": DATA_DROP_CONFLICTS,
                "merge_label_variants": DATA_MERGE_LABELS, "drop_single_classes": DATA_DROP_SINGLE, "sample": DATA_SAMPLE}
AUTO = "auto"   # the encoding selector's "as detected"

DEFAULTS = {
    SOURCE_NAME: None, TABLE: None, RAW: None, DATA_FILE: None, FILE_CHOICES: {}, LOAD_ERROR: None, REREAD_ERROR: None, REJECTED: None,
    UPLOAD_ID: None, LABEL_ISSUES: None, LABEL_HISTORY: [], LABEL_THRESHOLD: 90, LABEL_BATCH: None, LABEL_CURVE: [], LABEL_BATCH_SIZE: 20, UNLABELLED: None, UNLABELLED_ID: None, UNLABELLED_ERROR: None, DATASET: None, REPORT: None, DATASET_SIGNATURE: None, DATASET_VERSION: 0, PREPROCESS: None, JOB_ID: None, MODELS: {},
    SELECTED_MODEL: None, COLLECTED_JOBS: [], READY_SEEN: None, JOB_SHOWN: None, NEXT_RUN: None, WORKSPACE: None, WORKSPACE_NEW: False, WORKSPACE_UNKNOWN: False,
    MODELS_LOADED: False, STORE_PROBLEM: None, AUTHENTICATED: False, KEPT: {}, MEMO: {},
}
log = logging.getLogger("studio")


NEXT_PAGE = "page"   # query parameter: the page app.py opens after a detour (see require_app)


def require_app(url_path: str) -> None:
    """Send a page run that did not start in ``app.py`` through it.

    Until some session's ``app.py`` has called ``st.navigation``, Streamlit treats the
    ``pages/`` folder as a classic multipage app and runs a page's script by its address (e.g.
    ``/models``) without ``app.py``: no login, no workspace. ``app.py`` sets :data:`WORKSPACE`
    after the access check, so a run without it goes back to ``app.py`` — with the address's
    ``?ws=`` and ``?lang=`` (without them, the first visit to a page's address after a server
    restart landed in a new workspace) and the page asked for, which ``app.py`` then opens
    (:func:`open_asked_page`). Every page calls it through :func:`ui.common.page_header`.
    """
    if st.session_state.get(WORKSPACE) is None:
        st.switch_page("app.py", query_params={**st.query_params.to_dict(), NEXT_PAGE: url_path})


def open_asked_page(pages, current) -> None:
    """In ``app.py``, after ``st.navigation``: open the page a detour through ``app.py`` was for."""
    wanted = st.query_params.get(NEXT_PAGE)
    if wanted is None:
        return
    del st.query_params[NEXT_PAGE]
    target = next((page for page in pages if page.url_path == wanted), None)
    if target is not None and target.url_path != current.url_path:
        st.switch_page(target)


def init() -> None:
    """Set every default once per session."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value.copy() if isinstance(value, (dict, list)) else value)


# -- keeping choices ------------------------------------------------------------------------------

def hold(keys) -> None:
    """Keep the values of the widgets ``keys`` as they are now, and give back the kept value of
    any Streamlit has forgotten (it drops a widget's value when a page without it runs). Call
    it before the widgets are drawn."""
    kept = st.session_state[KEPT]
    for key in keys:
        if key in st.session_state:
            kept[key] = st.session_state[key]
        elif key in kept:
            st.session_state[key] = kept[key]


def held(key: str):
    """What :func:`hold` last kept for ``key`` (its value when the previous run drew the page),
    or None."""
    return st.session_state[KEPT].get(key)


def forget(keys) -> None:
    """Drop what :func:`hold` kept for ``keys`` (the choices belonged to other data)."""
    for key in keys:
        st.session_state[KEPT].pop(key, None)


def pin_choices() -> None:
    """Before the language changes: write each translated choice back as its value, so the
    next run shows it in the new language instead of failing to match the old words (called
    from the language switch's callback, while the old words still read back)."""
    for key in TRANSLATED_CHOICES:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


# -- the Data page's file and choices ---------------------------------------------------------

def set_table(table, raw: bytes) -> None:
    """A table was (re)read. A different file starts with its own choices (those made for it
    earlier in this session, else the guessed ones); the same file keeps the choices made for
    it, fitted to the table (another sheet may have other columns)."""
    key = file_key(raw, table.name)
    same_file = key == st.session_state[DATA_FILE]
    if not same_file:
        _keep_data_file(raw, table.name)
    choices = (data_choices() if same_file else st.session_state[FILE_CHOICES].get(key)) or guess_choices(table)
    st.session_state[TABLE] = table
    st.session_state[RAW] = raw
    st.session_state[DATA_FILE] = key
    st.session_state[REJECTED] = None
    st.session_state[SOURCE_NAME] = table.name.rsplit(".", 1)[0]
    st.session_state[DATASET] = None
    st.session_state[REPORT] = None
    show_choices(choices.fitted(table), replace_all=True)


def data_choices():
    """The Data page's choices for the loaded file as the widgets show them now (values, not
    words), or ``None`` when no file is loaded."""

    key = st.session_state[DATA_FILE]
    if key is None:
        return None
    choices = st.session_state[FILE_CHOICES].get(key) or DataChoices()
    shown = {field: st.session_state[widget] for field, widget in DATA_WIDGETS.items() if widget in st.session_state}
    if "encoding" in shown:
        shown["encoding"] = None if shown["encoding"] == AUTO else shown["encoding"]
    if "text_columns" in shown:
        shown["text_columns"] = tuple(shown["text_columns"] or ())
    # A widget value that does not fit the loaded table (a column or sheet of another file, left
    # in the session by a widget Streamlit had half forgotten) never replaces the saved choice: the
    # page once came back with the label column set to the text column and no text column.
    table = st.session_state.get(TABLE)
    if table is not None:
        columns = {str(column) for column in table.frame.columns}
        if not set(map(str, shown.get("text_columns", ()))) <= columns:
            shown.pop("text_columns")
        if shown.get("label_column") is not None and str(shown["label_column"]) not in columns:
            shown.pop("label_column")
        if "sheet" in shown and table.sheets and shown["sheet"] not in table.sheets:
            shown.pop("sheet")
    names = {str(name)[len(DATA_LABEL_NAME):]: value for name, value in st.session_state.items()
             if str(name).startswith(DATA_LABEL_NAME)}
    if names:
        shown["label_names"] = {label: value for label, value in {**choices.label_names, **names}.items() if value}
    return replace(choices, **shown)


def show_choices(choices, replace_all: bool = False) -> None:
    """Put ``choices`` (a DataChoices) into the Data page's widgets — all of them for a newly
    read file, else those Streamlit forgot or that hold a value the choices refused — and
    remember them for the loaded file."""
    values = {DATA_TEXT_COL: list(choices.text_columns), DATA_LABEL_COL: choices.label_column,
              DATA_ENCODING: choices.encoding or AUTO, DATA_SHEET: choices.sheet,
              DATA_DROP_DUPLICATES: choices.drop_duplicates, DATA_DROP_CONFLICTS: choices.drop_conflicts,
              DATA_MERGE_LABELS: choices.merge_label_variants, DATA_DROP_SINGLE: choices.drop_single_classes,
              DATA_SAMPLE: choices.sample}
    if replace_all:
        for key in [key for key in st.session_state if str(key).startswith(DATA_LABEL_NAME)]:
            del st.session_state[key]
    for key, value in values.items():
        # Also a value the choices had to refuse (see data_choices): the widget would fail on it.
        if replace_all or key not in st.session_state or st.session_state[key] != value:
            st.session_state[key] = value
    for label, name in choices.label_names.items():
        if replace_all or DATA_LABEL_NAME + label not in st.session_state:
            st.session_state[DATA_LABEL_NAME + label] = name
    remember_choices(choices)


def remember_choices(choices) -> None:
    """Remember ``choices`` for the loaded file, in this session and in the workspace (for a
    reloaded tab). The workspace's copy is written whenever it differs from them, not only when
    this session's copy does: a file loaded again after another one had its saved choices reset
    on disk while the session still knew them, and a reload then trained on the rows the user
    had dropped (:meth:`core.data.current.CurrentData.save_choices` writes only a change)."""
    key = st.session_state[DATA_FILE]
    if key is None:
        return
    st.session_state[FILE_CHOICES][key] = choices
    _on_disk(lambda current: current.save_choices(choices=choices))


def remember_labelling() -> None:
    """Keep the Label page's batch and curve with the workspace's data set, so that a reloaded
    tab finds the batch where the user was and the curve drawn so far."""
    labelling = {"batch": st.session_state[LABEL_BATCH], "curve": st.session_state[LABEL_CURVE]}
    _on_disk(lambda current: current.save_choices(labelling=labelling))


def _keep_data_file(raw: bytes, name: str) -> None:
    _on_disk(lambda current: current.save_file(raw, name))


def remember_preprocess(config) -> None:
    """Keep the Preprocess page's settings with the workspace's data set (for a reloaded tab)."""
    _on_disk(lambda current: current.save_choices(preprocess=config.to_dict()))


def _on_disk(write, kept=lambda session_store: session_store.current_data(), what: str = "data set") -> None:
    """Apply ``write`` to what the workspace keeps on disk (``kept(store)``: its data set, or its
    unlabelled texts); a disk that cannot be written only costs the copy a reloaded tab would
    find (the server log says so)."""
    if st.session_state.get(WORKSPACE) is None:
        return
    try:
        write(kept(store()))
    except (UserError, OSError) as error:
        log.warning("the workspace's %s could not be kept on disk: %s", what, error)


def restore_current_data() -> None:
    """In a new session (a reloaded tab, a bookmark): read the workspace's data set again with
    the choices and preprocessing kept for it, as if it had just been loaded."""
    try:
        kept = store().current_data().load()
    except (UserError, OSError):
        kept = None
    if kept is None:
        return
    try:
        choices = kept["choices"] or guess_choices(load_table(kept["raw"], kept["name"]))
        table, choices, dataset, report = read_with_choices(kept["raw"], kept["name"], choices)
    except UserError as error:  # e.g. the choices no longer validate: the Data page asks again
        log.info("the workspace's data set was not restored: %s", error)
        return
    key = file_key(kept["raw"], kept["name"])
    st.session_state[TABLE], st.session_state[RAW], st.session_state[DATA_FILE] = table, kept["raw"], key
    st.session_state[SOURCE_NAME] = table.name.rsplit(".", 1)[0]
    st.session_state[FILE_CHOICES][key] = choices
    show_choices(choices, replace_all=True)
    set_dataset(dataset, report, dataset_signature(choices))
    labelling = kept.get("labelling") or {}
    if isinstance(labelling.get("batch"), dict):
        st.session_state[LABEL_BATCH] = labelling["batch"]     # checked against the pool by the Label page
    if isinstance(labelling.get("curve"), list):
        st.session_state[LABEL_CURVE] = labelling["curve"]
    if kept["preprocess"]:
        try:
            st.session_state[PREPROCESS] = PreprocessConfig.from_dict(kept["preprocess"])
        except (UserError, TypeError, ValueError):
            pass


def label_check_key(choices) -> tuple:
    """What a label check's rows belong to: the loaded file and its columns (the Data page shows
    a check only for these; the Evaluate page hands its flags over under the same key)."""
    return (st.session_state[DATA_FILE], tuple(choices.text_columns), choices.label_column)


def label_editor_key(version: int) -> str:
    """The table of flagged rows' widget key: a new one after each change (its edits were for
    the rows just handled)."""
    return f"{LABEL_EDITOR}_{version}"


def set_corrections(corrections: dict) -> None:
    """Use ``corrections`` (file row → label, "" = left out) for the loaded file from now on;
    the ones before (with the label check's list as it was) go on the Undo stack."""
    choices = data_choices()
    if choices is None or choices.corrections == corrections:
        return
    checked = st.session_state[LABEL_ISSUES]
    listed = list(checked["issues"]) if checked else None
    st.session_state[LABEL_HISTORY] = [*st.session_state[LABEL_HISTORY],
                                       {"corrections": dict(choices.corrections), "issues": listed}]
    remember_choices(replace(choices, corrections=corrections))


def undo_corrections() -> None:
    """Go back to the corrections before the last change; the label check's list comes back
    as it was before that change (the rows undone are listed again)."""
    history = st.session_state[LABEL_HISTORY]
    choices = data_choices()
    if not history or choices is None:
        return
    st.session_state[LABEL_HISTORY] = history[:-1]
    last = history[-1]
    checked = st.session_state[LABEL_ISSUES]
    if checked and last.get("issues") is not None:
        checked["issues"] = last["issues"]
        checked["version"] += 1      # a fresh table for the list as it was
    else:
        st.session_state[LABEL_ISSUES] = None      # no list to go back to: check anew
    remember_choices(replace(choices, corrections=last["corrections"]))


def set_unlabelled(raw: bytes, name: str) -> None:
    """Read a file of unlabelled texts (any format the Data page reads; the text column
    guessed; at most the row cap) into the session and keep it in the workspace.

    Raises
    ------
    UserError
        When the file cannot be read or holds no text.
    """
    texts = unlabelled_texts(load_table(raw, name))
    if not texts:
        raise UserError("err.unlabelled_empty", name=name)
    limit = max_rows()
    st.session_state[UNLABELLED] = {"name": name, "texts": texts[:limit], "cut": max(0, len(texts) - limit)}
    _on_disk_unlabelled(lambda kept: kept.save(raw, name))


def remove_unlabelled() -> None:
    """Forget the unlabelled texts (in the session and the workspace)."""
    st.session_state[UNLABELLED] = None
    _on_disk_unlabelled(lambda kept: kept.remove())


def _on_disk_unlabelled(write) -> None:
    _on_disk(write, lambda session_store: session_store.unlabelled_texts(), "unlabelled texts")


def restore_unlabelled() -> None:
    """In a new session: the workspace's unlabelled texts, read again."""
    try:
        kept = store().unlabelled_texts().load()
        if kept is not None:
            set_unlabelled(kept["raw"], kept["name"])
    except (UserError, OSError) as error:
        log.info("the workspace's unlabelled texts were not restored: %s", error)


def keep_vectors_upload(raw: bytes, name: str) -> str:
    """An uploaded vectors file, kept in the workspace (so the training worker can read it);
    returns its path."""
    session_store = store()
    with storage_errors(session_store.root):
        return str(keep_upload(session_store.vectors_cache() / "uploads", raw, name))


def vectors_coverage(path: str, texts, preprocess):
    """:func:`core.models.vectors.file_coverage` of a vectors file for this data, computed once per
    file and data set; a :class:`UserError` (not raised) when the file cannot be used."""

    def compute():
        try:
            return file_coverage(path, texts, preprocess)
        except UserError as error:
            return error

    inputs = (path, os.path.getmtime(path), st.session_state[DATASET_VERSION], len(texts),
              json.dumps(preprocess.to_dict(), sort_keys=True))
    return memo("vectors_coverage", inputs, compute, keep=2)


def unlabelled_pool() -> list[str]:
    """Every unlabelled text as it came: the labelled file's rows without a label, then the
    uploaded file's texts (the Label page's pool, whose rows index into this list and must
    stay put while the user labels)."""
    dataset, extra = st.session_state[DATASET], st.session_state[UNLABELLED]
    return (list(dataset.unlabelled) if dataset is not None else []) + (list(extra["texts"]) if extra else [])


def unlabelled_for_training() -> list[str]:
    """The unlabelled texts a run may learn word vectors from: :func:`unlabelled_pool` less
    the texts labelled since (on the Label page), which the labelled data holds already."""
    dataset, pool = st.session_state[DATASET], unlabelled_pool()
    labelled = set(dataset.texts) if dataset is not None else set()
    return [text for text in pool if text not in labelled]


def validated(choices):
    """``(DataSet, DataReport)`` of the loaded table under ``choices``, computed once per file,
    encoding, sheet and choices (the Data page and the Label page share it).

    Raises
    ------
    UserError
        As :func:`core.data.dataset.validate`.
    """
    table = st.session_state[TABLE]
    inputs = (st.session_state[DATA_FILE], table.encoding, table.sheet, json.dumps(choices.to_dict(), sort_keys=True))
    return memo("validate", inputs, lambda: validate(table.frame, list(choices.text_columns), choices.label_column,
                                                     choices.cleaning()), keep=1)


def dataset_signature(choices) -> tuple:
    """What makes a different data set (the file, the columns, the sample): a different one
    resets the preprocessing and the Train page's settings; dropping duplicates does not."""
    return (st.session_state[DATA_FILE], tuple(choices.text_columns), choices.label_column, bool(choices.sample))


def set_dataset(dataset, report, signature) -> None:
    """Store the validated data set; a different data set resets the preprocessing choices and
    the Label page's batch and curve, and puts a finished run of the previous data away."""
    if st.session_state.get(DATASET_SIGNATURE) != signature:
        st.session_state[PREPROCESS] = None
        st.session_state[LABEL_BATCH], st.session_state[LABEL_CURVE] = None, []   # the Label page's, of that data
        st.session_state[DATASET_SIGNATURE] = signature
        job = get_job(st.session_state[JOB_ID])
        if job is not None and job.snapshot().finished:
            collect_finished_job()
            st.session_state[JOB_ID] = None
    if dataset is not st.session_state[DATASET]:
        st.session_state[DATASET_VERSION] += 1
    st.session_state[DATASET] = dataset
    st.session_state[REPORT] = report


# -- computed once per inputs -------------------------------------------------------------------

def memo(name: str, inputs, compute, keep: int = 2):
    """``compute()``, remembered for ``inputs`` (hashable) under ``name``; only the ``keep``
    most recent inputs are kept, so a long session does not pile up every model's results."""
    cache = st.session_state[MEMO].setdefault(name, {})
    if inputs in cache:
        cache[inputs] = cache.pop(inputs)   # most recently used last
        return cache[inputs]
    result = compute()
    cache[inputs] = result
    while len(cache) > keep:
        cache.pop(next(iter(cache)))
    return result


# -- jobs and models ------------------------------------------------------------------------------

def collect_finished_job() -> None:
    """Move the model of this session's finished job into the session's models list."""
    job = get_job(st.session_state.get(JOB_ID))
    if job is None or job.job_id in st.session_state[COLLECTED_JOBS]:
        return
    snapshot = job.snapshot()
    if not snapshot.finished:
        return
    st.session_state[COLLECTED_JOBS].append(job.job_id)
    result = job.release_bundle()
    if result is not None:
        entry, bundle = result
        bundle = share_bundle(entry.path, bundle) if bundle is not None else shared_bundle(entry.path)
        if bundle is not None:
            st.session_state[MODELS][entry.model_id] = {"entry": entry, "bundle": bundle}
            st.session_state[SELECTED_MODEL] = entry.model_id


def collect_ready_model(ready: dict) -> None:
    """Put Automatic's early model (a job snapshot's ``ready``) into the session's models, so that
    the Predict page offers it while the network trains; loaded again when a better linear model
    replaced it."""
    seen = (ready["model_id"], ready["candidate"])
    if st.session_state.get(READY_SEEN) == seen:
        return
    try:
        entry = store().entry(ready["model_id"])
        bundle = Bundle.load(entry.path)
    except (UserError, OSError, ValueError):
        return   # replaced or finishing right now: the next poll tries again
    st.session_state[READY_SEEN] = seen
    st.session_state[MODELS][entry.model_id] = {"entry": entry, "bundle": bundle}
    st.session_state[SELECTED_MODEL] = entry.model_id


def init_workspace() -> None:
    """The workspace from the URL (``?ws=``), else a new one; kept in the URL so a bookmark or
    a reload comes back to it. Then, once per session, the workspace's stored models and its
    current data set are loaded."""
    if st.session_state[WORKSPACE] is None:
        chosen = st.query_params.get("ws")
        if not known_workspace(chosen):   # only ids this server issued open a workspace
            st.session_state[WORKSPACE_UNKNOWN] = bool(chosen)
            try:
                chosen = new_workspace_id()
            except UserError:   # the index cannot be written: an unrecorded id (the store says why below)
                chosen = secrets.token_urlsafe(16)
            st.session_state[WORKSPACE_NEW] = True
        st.session_state[WORKSPACE] = chosen
    if st.query_params.get("ws") != st.session_state[WORKSPACE]:
        st.query_params["ws"] = st.session_state[WORKSPACE]
    if st.session_state[JOB_ID] is None:
        # A reloaded tab (a new session) finds the workspace's running training again.
        running = active_job(st.session_state[WORKSPACE])
        if running is not None:
            st.session_state[JOB_ID] = running.job_id
    if not st.session_state[MODELS_LOADED]:
        st.session_state[MODELS_LOADED] = True
        entries = []
        try:
            session_store = store()
            entries = session_store.list()   # what exists is listed even when nothing can be written
            recover(session_store.root)      # runs a dead server left behind become models + notices
            session_store.check_writable()
            st.session_state[STORE_PROBLEM] = None
            entries = session_store.list()
        except UserError as error:  # the workspace's models still open and predict
            st.session_state[STORE_PROBLEM] = error
        for entry in entries:
            bundle = shared_bundle(entry.path)
            if bundle is not None:
                st.session_state[MODELS][entry.model_id] = {"entry": entry, "bundle": bundle}
        if st.session_state[TABLE] is None and not st.session_state[WORKSPACE_NEW]:
            restore_current_data()
            restore_unlabelled()


def store():
    """This session's model store (its workspace)."""
    _repaired(str(ModelStore().root.resolve()))
    return ModelStore(workspace=st.session_state[WORKSPACE])


@st.cache_resource(show_spinner=False)
def _repaired(root: str) -> dict:
    """Repair the index from the disk once per server process and data directory."""
    try:
        return ModelStore(root).repair()
    except UserError as error:  # not writable: init_workspace tells the user
        return {"error": error.key}


def _bundle_key(path: str) -> tuple:
    settings = os.path.join(path, "settings.json")
    return path, os.path.getmtime(settings) if os.path.exists(settings) else 0.0


def share_bundle(path: str, bundle):
    """Offer an already loaded ``bundle`` of ``path`` to every session (see :func:`shared_bundle`);
    returns the copy that is shared."""
    with _BUNDLES_LOCK:
        return _BUNDLES.setdefault(_bundle_key(path), bundle)


def shared_bundle(path: str):
    """A stored bundle (``None`` if broken), shared read-only by every session that has it open.

    Held by weak reference: loaded once while any session keeps it (in its ``MODELS``), and
    freed with the last session that had it, so the server's memory goes back down when users
    leave (a plain cache would keep every model ever opened). A bundle changed on disk (a
    threshold saved through the store) is a new entry: sessions get it through
    :func:`fresh_record`."""
    key = _bundle_key(path)
    with _BUNDLES_LOCK:
        bundle = _BUNDLES.get(key)
        if bundle is None:
            try:
                bundle = Bundle.load(path)
            except UserError:
                log.warning("stored model %s cannot be loaded; left out of the list", path)
                return None
            _BUNDLES[key] = bundle
        return bundle


def fresh_record(model_id: str) -> dict:
    """This session's record of ``model_id``, with the bundle as it is stored now (this session
    or another may have saved a decision threshold with it since it was opened)."""
    record = st.session_state[MODELS][model_id]
    now = _bundle_key(record["entry"].path)
    if record.setdefault("version", now) != now:
        bundle = shared_bundle(record["entry"].path)
        if bundle is not None:
            record["bundle"], record["version"] = bundle, now
    return record


def put_bundle(model_id: str, bundle) -> None:
    """This session saved ``bundle`` as ``model_id`` (through the store): use and share it."""
    record = st.session_state[MODELS][model_id]
    path = record["entry"].path
    record["bundle"], record["version"] = share_bundle(path, bundle), _bundle_key(path)


_BUNDLES = weakref.WeakValueDictionary()
_BUNDLES_LOCK = threading.Lock()
