"""Session state keys, declared once (house rule 4), and the few helpers that change them."""

from __future__ import annotations

import threading
import weakref

import streamlit as st

LANG = "lang"
SOURCE_NAME = "source_name"        # file name of the loaded table
TABLE = "table"                    # core.data.Table: the table as read (never modified)
RAW = "raw"                        # the uploaded bytes, to read again with another encoding/sheet
LOAD_ERROR = "load_error"          # a UserError from the last read, shown once
UPLOAD_ID = "upload_id"            # file_id of the upload already read
DATASET = "dataset"                # core.data.DataSet after validation
REPORT = "report"                  # core.data.DataReport
DATASET_SIGNATURE = "dataset_signature"
PREPROCESS = "preprocess"          # core.text.PreprocessConfig
JOB_ID = "job_id"                  # this session's training job
MODELS = "models"                  # model_id -> {"entry": ModelEntry, "bundle": Bundle}
SELECTED_MODEL = "selected_model"  # model_id picked on Evaluate/Predict
COLLECTED_JOBS = "collected_jobs"  # job ids whose model is already in MODELS
NEXT_RUN = "next_run"              # settings changes chosen on Evaluate for the next training run
WORKSPACE = "workspace"            # this browser user's workspace id (also ?ws= in the URL)
WORKSPACE_NEW = "workspace_new"    # True when this session made the workspace (show the bookmark notice)
MODELS_LOADED = "models_loaded"    # the workspace's stored models are in MODELS
STORE_PROBLEM = "store_problem"    # a core.errors.UserError: the model folder cannot be written
AUTHENTICATED = "authenticated"    # the shared password was given (ui.access)

DEFAULTS = {
    SOURCE_NAME: None, TABLE: None, RAW: None, LOAD_ERROR: None, UPLOAD_ID: None, DATASET: None, REPORT: None,
    DATASET_SIGNATURE: None, PREPROCESS: None, JOB_ID: None, MODELS: {}, SELECTED_MODEL: None,
    COLLECTED_JOBS: [], NEXT_RUN: None, WORKSPACE: None, WORKSPACE_NEW: False, MODELS_LOADED: False,
    STORE_PROBLEM: None, AUTHENTICATED: False,
}


def require_app() -> None:
    """Send a page run that did not start in ``app.py`` through it.

    Until some session's ``app.py`` has called ``st.navigation``, Streamlit treats the
    ``pages/`` folder as a classic multipage app and runs a page's script by its address (e.g.
    ``/models``) without ``app.py``: no login, no workspace. ``app.py`` sets :data:`WORKSPACE`
    after the access check, so a run without it goes back to ``app.py``.
    """
    if st.session_state.get(WORKSPACE) is None:
        st.switch_page("app.py")


def init() -> None:
    """Set every default once per session."""
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value.copy() if isinstance(value, (dict, list)) else value)


def set_table(table, raw: bytes) -> None:
    """A table was (re)read: forget the columns and data set chosen for the previous one."""
    same_file = st.session_state.get(RAW) == raw
    st.session_state[TABLE] = table
    st.session_state[RAW] = raw
    st.session_state[SOURCE_NAME] = table.name.rsplit(".", 1)[0]
    st.session_state[DATASET] = None
    st.session_state[REPORT] = None
    keys = ["data_text_col", "data_label_col"]
    if not same_file:
        keys += ["data_encoding", "data_sheet", "data_drop_duplicates", "data_drop_conflicts", "data_merge_labels",
                 "data_drop_single", "data_sample"]
        keys += [key for key in st.session_state if str(key).startswith("data_label_name_")]
    for key in keys:
        st.session_state.pop(key, None)


def set_dataset(dataset, report, signature) -> None:
    """Store the validated data set; a different data set resets the preprocessing choices."""
    if st.session_state.get(DATASET_SIGNATURE) != signature:
        st.session_state[PREPROCESS] = None
        st.session_state[DATASET_SIGNATURE] = signature
    st.session_state[DATASET] = dataset
    st.session_state[REPORT] = report


def collect_finished_job() -> None:
    """Move the model of this session's finished job into the session's models list."""
    from core.jobs import get_job

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


def init_workspace() -> None:
    """The workspace from the URL (``?ws=``), else a new one; kept in the URL so a bookmark or
    a reload comes back to it. Then the workspace's stored models are loaded once per session."""
    from core.store import new_workspace_id, valid_workspace

    if st.session_state[WORKSPACE] is None:
        chosen = st.query_params.get("ws")
        if not valid_workspace(chosen):
            chosen = new_workspace_id()
            st.session_state[WORKSPACE_NEW] = True
        st.session_state[WORKSPACE] = chosen
    if st.query_params.get("ws") != st.session_state[WORKSPACE]:
        st.query_params["ws"] = st.session_state[WORKSPACE]
    if st.session_state[JOB_ID] is None:
        # A reloaded tab (a new session) finds the workspace's running training again.
        from core.jobs import active_job

        running = active_job(st.session_state[WORKSPACE])
        if running is not None:
            st.session_state[JOB_ID] = running.job_id
    if not st.session_state[MODELS_LOADED]:
        from core.errors import UserError
        from core.jobs import recover

        st.session_state[MODELS_LOADED] = True
        try:
            session_store = store()
            recover(session_store.root)  # runs a dead server left behind become models + notices
            session_store.check_writable()
            st.session_state[STORE_PROBLEM] = None
            entries = session_store.list()
        except UserError as error:  # prediction with models already loaded keeps working
            st.session_state[STORE_PROBLEM] = error
            entries = []
        for entry in entries:
            bundle = shared_bundle(entry.path)
            if bundle is not None:
                st.session_state[MODELS][entry.model_id] = {"entry": entry, "bundle": bundle}


def store():
    """This session's model store (its workspace)."""
    from core.store import ModelStore

    _repaired(str(ModelStore().root.resolve()))
    return ModelStore(workspace=st.session_state[WORKSPACE])


@st.cache_resource(show_spinner=False)
def _repaired(root: str) -> dict:
    """Repair the index from the disk once per server process and data directory."""
    from core.errors import UserError
    from core.store import ModelStore

    try:
        return ModelStore(root).repair()
    except UserError as error:  # not writable: init_workspace tells the user
        return {"error": error.key}


def _bundle_key(path: str) -> tuple:
    import os

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
    leave (a plain cache would keep every model ever opened)."""
    import logging

    from core.bundle import Bundle
    from core.errors import UserError

    key = _bundle_key(path)
    with _BUNDLES_LOCK:
        bundle = _BUNDLES.get(key)
        if bundle is None:
            try:
                bundle = Bundle.load(path)
            except UserError:
                logging.getLogger("studio").warning("stored model %s cannot be loaded; left out of the list", path)
                return None
            _BUNDLES[key] = bundle
        return bundle


_BUNDLES = weakref.WeakValueDictionary()
_BUNDLES_LOCK = threading.Lock()
