"""Models page: the workspace's stored models — rename, default for prediction, download
(bundle zip with a model card, or a SavedModel for TensorFlow Serving), delete; and upload."""

import sys
from pathlib import Path

import pandas as pd
import streamlit as st

from core.base.errors import UserError
from core.base.i18n import seconds
from core.models.export import exportable, savedmodel_zip
from core.models.package import bundle_zip, max_bundle_mb
from core.service.serve import free_port, served_names, usage
from core.store import max_models, max_workspace_mb
from ui import state
from ui.common import lang, page_header, settings_summary, show_error, t

page_header("models")
store = state.store()
models = st.session_state[state.MODELS]
try:
    entries = {entry.model_id: entry for entry in store.list()}
except UserError as problem:   # e.g. a full disk: say so, and list what this session has open
    show_error(problem)
    entries = {model_id: record["entry"] for model_id, record in models.items()}
# The session's records follow the index (a rename or a default set in another tab).
for model_id, entry in entries.items():
    if model_id in models:
        models[model_id]["entry"] = entry

notice = st.session_state.pop(state.MODELS_NOTICE, None)
if notice:
    st.success(notice, icon=":material/check_circle:")

used = sum(entry.bytes for entry in entries.values())
st.caption(t("models.usage", n=len(entries), limit=max_models(), mb=f"{used / 2**20:.1f}", limit_mb=max_workspace_mb()))

if not entries:
    st.info(t("models.empty"), icon=":material/info:")
else:
    rows = []
    for entry in reversed(list(entries.values())):
        bundle = models.get(entry.model_id, {}).get("bundle")
        info = bundle.info if bundle else None
        # The figures a person compares come right after the name; the long settings summary and
        # the fingerprint last (in Chinese they pushed the accuracies off the right edge).
        rows.append({
            t("models.col_default"): "★" if entry.is_default else "",
            t("train.col_name"): entry.name,
            t("train.col_val_accuracy"): f"{info.val_accuracy:.1%}" if info else "–",
            t("models.col_test_accuracy"): f"{info.test.accuracy:.1%}" if info and info.test else "–",
            t("train.col_data"): entry.dataset,
            t("models.col_rows"): entry.rows,
            t("train.col_created"): entry.created.replace("T", " "),
            t("train.col_seconds"): seconds(info.train_seconds) if info else "–",
            t("models.col_size"): round(entry.bytes / 2**20, 2),
            t("models.col_device"): info.device_name if info else "–",
            t("train.col_settings"): settings_summary(bundle) if bundle else "–",
            t("models.col_fingerprint"): entry.fingerprint,
        })
    st.dataframe(pd.DataFrame(rows), width="stretch", hide_index=True, key="models_table")

    ids = list(reversed(list(entries)))
    chosen = st.selectbox(t("models.pick"), ids, format_func=lambda model_id: entries[model_id].name, key="models_pick",
                          placeholder=t("common.choose_one"))
    entry = entries[chosen]
    bundle = models.get(chosen, {}).get("bundle") or state.shared_bundle(entry.path)

    def act(action, *args):
        try:
            action(*args)
        except UserError as error:
            st.session_state[state.MODELS_ERROR] = error

    def rename():
        updated = store.rename(chosen, st.session_state[state.MODELS_NEW_NAME])
        if chosen in models:
            models[chosen]["entry"] = updated
        st.session_state[state.MODELS_NOTICE] = t("models.renamed", name=updated.name)

    def make_default():
        store.set_default(chosen)
        for model_id, record in models.items():
            record["entry"] = store.entry(model_id) if model_id in entries else record["entry"]
        st.session_state[state.SELECTED_MODEL] = chosen
        st.session_state[state.MODELS_NOTICE] = t("models.defaulted", name=entry.name)

    def delete():
        store.delete(chosen)
        models.pop(chosen, None)
        if st.session_state.get(state.SELECTED_MODEL) == chosen:
            st.session_state[state.SELECTED_MODEL] = None
        st.session_state.pop(state.MODELS_CONFIRM, None)
        st.session_state[state.MODELS_NOTICE] = t("models.deleted", name=entry.name)

    with st.container(border=True):
        name_column, button_column = st.columns([3, 1], vertical_alignment="bottom")
        name_column.text_input(t("models.new_name"), entry.name, max_chars=60, key=state.MODELS_NEW_NAME)
        button_column.button(t("models.rename"), key="models_rename", on_click=act, args=(rename,), width="stretch")
        def evaluate_it():
            st.session_state[state.SELECTED_MODEL] = chosen

        evaluate_column, default_column, download_column, serving_column = st.columns(4)
        if evaluate_column.button(t("models.evaluate"), key="models_evaluate", on_click=evaluate_it, width="stretch",
                                  icon=":material/analytics:", disabled=chosen not in models):
            st.switch_page("pages/evaluate.py")
        default_column.button(t("models.make_default"), key="models_default", on_click=act, args=(make_default,),
                              disabled=entry.is_default, width="stretch", icon=":material/star:",
                              help=t("models.make_default_help"))
        download_column.download_button(
            t("models.download"), lambda: bundle_zip(entry.path, entry.name, entry.dataset),
            file_name=f"{chosen}.zip", mime="application/zip", key="models_download", width="stretch",
            icon=":material/download:", help=t("models.download_help"))
        try:
            if bundle is None:
                raise UserError("err.bundle_unreadable", path=entry.name, detail="model.keras")
            exportable(bundle)
        except UserError as error:
            serving_column.button(t("models.serving"), key="models_serving_off", disabled=True, width="stretch",
                                  icon=":material/dns:")
            serving_column.caption(error.message(lang()))
        else:
            serving_column.download_button(
                t("models.serving"), lambda: savedmodel_zip(bundle), file_name=f"{chosen}-savedmodel.zip",
                mime="application/zip", key="models_serving", width="stretch", icon=":material/dns:",
                help=t("models.serving_help"))
        with st.expander(t("models.service"), icon=":material/api:"):
            # One command serves every model of the workspace (named as in the app) on a port that
            # is free now, run from the app's folder with its own Python: pasted as it is, it works.
            served = served_names([(record["entry"].name, record["entry"].path)
                                   for record in st.session_state[state.MODELS].values()])
            lines = usage(served, next(name for name, path in served if path == entry.path),
                          chinese=bundle is not None and bundle.preprocess.tokenizer in ("jieba", "char"),
                          port=free_port(), app_dir=Path(__file__).resolve().parent.parent, python=sys.executable)
            st.caption(t("models.service_help"))
            st.code(lines["command"], language="bash")
            st.code(lines["curl"], language="bash")
        confirm = st.checkbox(t("models.confirm_delete", name=entry.name), key=state.MODELS_CONFIRM)
        st.button(t("models.delete"), key="models_delete", disabled=not confirm, on_click=act, args=(delete,),
                  icon=":material/delete:", type="primary" if confirm else "secondary")
    if state.MODELS_ERROR in st.session_state:
        show_error(st.session_state.pop(state.MODELS_ERROR))

st.subheader(t("models.upload_title"))
upload = st.file_uploader(t("models.upload"), type=["zip"], key="models_upload",
                          help=t("models.upload_help", mb=max_bundle_mb()))
if upload is not None and st.session_state.get(state.MODELS_UPLOADED) != upload.file_id:
    try:
        added = store.import_zip(upload.getvalue(), upload.name.rsplit(".", 1)[0][:60] or "model")
    except UserError as error:
        show_error(error)
    else:
        st.session_state[state.MODELS_UPLOADED] = upload.file_id
        models[added.model_id] = {"entry": added, "bundle": state.shared_bundle(added.path)}
        st.session_state[state.MODELS_NOTICE] = t("models.uploaded", name=added.name)
        st.rerun()
