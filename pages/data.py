"""Data page: load a table (upload or bundled sample), choose the columns, read the report."""

from pathlib import Path

import pandas as pd
import streamlit as st

from core.base.errors import UserError
from core.data.dataset import SAMPLES, cleaned_csv, load_table, max_rows, numeric_label_values, read_pasted
from core.data.reading import UPLOAD_TYPES
from core.evaluation import charts
from core.evaluation.labels import accept_above, apply_decisions
from core.evaluation.labels import check_labels as find
from core.text import default_config
from ui import state
from ui.common import page_header, show_error, t

page_header("data")

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "big5", "shift_jis", "utf-16", "cp1252", "latin-1"]
SEVERITY = {"error": st.error, "warning": st.warning, "info": st.info}
ICONS = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}


def read(raw: bytes, name: str) -> bool:
    """Read a new file into the session, or keep why it cannot be read (the data loaded before
    stays in use). Returns whether it was read."""
    try:
        state.set_table(load_table(raw, name), raw)
    except UserError as error:
        st.session_state[state.LOAD_ERROR] = error
        return False
    return True


def read_paste() -> None:
    """The user pasted rows (from a spreadsheet or typed) and pressed the button."""
    text = st.session_state.get(state.DATA_PASTE, "")
    try:
        state.set_table(read_pasted(text), text.encode("utf-8"))
    except UserError as error:
        st.session_state[state.LOAD_ERROR] = error


def load_sample(name: str) -> None:
    read(SAMPLES[name].path.read_bytes(), SAMPLES[name].filename)


def reread() -> None:
    """The user picked another encoding or sheet: read the same bytes again. If they cannot be
    read that way, the choice goes back to the one that worked and the user is told why."""
    table, before = st.session_state[state.TABLE], st.session_state[state.FILE_CHOICES][st.session_state[state.DATA_FILE]]
    choices = state.data_choices()
    try:
        state.set_table(load_table(st.session_state[state.RAW], table.name, choices.encoding, choices.sheet),
                        st.session_state[state.RAW])
    except UserError as error:
        st.session_state[state.REREAD_ERROR] = error
        st.session_state[state.DATA_ENCODING] = before.encoding or state.AUTO
        st.session_state[state.DATA_SHEET] = before.sheet


upload_column, sample_column = st.columns([3, 2], gap="large")
with upload_column:
    upload = st.file_uploader(t("data.upload"), key="data_upload", help=t("data.upload_help"),
                              type=UPLOAD_TYPES)
    with st.expander(t("data.paste"), icon=":material/content_paste:"):
        st.text_area(t("data.paste_label"), key=state.DATA_PASTE, height=150, placeholder=t("data.paste_placeholder"))
        st.button(t("data.paste_use"), key="data_paste_use", on_click=read_paste, icon=":material/table_rows:")
with sample_column:
    st.markdown(f"**{t('data.samples')}**")
    for name in SAMPLES:
        icon = ":material/sms:" if name == "sms_spam" else ":material/newspaper:"
        st.button(t(f"sample.{name}"), key=f"sample_{name}", on_click=load_sample, args=(name,), icon=icon,
                  width="stretch")
    st.caption(t("data.samples_note"))

if upload is not None and upload.file_id != st.session_state[state.UPLOAD_ID]:
    st.session_state[state.UPLOAD_ID] = upload.file_id
    if not read(upload.getvalue(), upload.name):
        st.session_state[state.REJECTED] = (upload.file_id, st.session_state[state.LOAD_ERROR])
if upload is None or (st.session_state[state.REJECTED] or (None,))[0] != upload.file_id:
    st.session_state[state.REJECTED] = None

error = st.session_state.pop(state.LOAD_ERROR, None)
rejected = st.session_state[state.REJECTED]
error = rejected[1] if rejected is not None else error
if error is not None:
    show_error(error)
table = st.session_state[state.TABLE]
if table is None:
    if error is None:
        st.info(t("data.start_hint"), icon=":material/upload_file:")
    st.stop()
if error is not None:
    # A new file was refused: say plainly that the data in use has not changed, and do not
    # show it below the message as if it were the new file's.
    dataset = st.session_state[state.DATASET]
    st.info(t("data.still_in_use", name=table.name, rows=len(dataset) if dataset is not None else len(table.frame))
            + (" " + t("data.still_in_use_upload") if rejected is not None else ""), icon=":material/undo:")
    st.stop()
reread_error = st.session_state.pop(state.REREAD_ERROR, None)
if reread_error is not None:  # another encoding or sheet did not work: the one that did is back
    show_error(reread_error)
frame = table.frame
state.show_choices(state.data_choices())   # gives back what Streamlit forgot on a page change

st.divider()
st.subheader(t("data.preview", name=table.name))
how = st.columns([2, 2, 3])
if table.sheets:
    how[0].selectbox(t("data.sheet"), table.sheets, key=state.DATA_SHEET, on_change=reread, help=t("data.sheet_help"),
                     placeholder=t("common.choose_one"))
if table.encoding:
    how[0].selectbox(t("data.encoding"), [state.AUTO] + ENCODINGS, key=state.DATA_ENCODING, on_change=reread,
                     format_func=lambda value: t("data.encoding_auto", encoding=table.encoding) if value == state.AUTO
                     else value, help=t("data.encoding_help"), placeholder=t("common.choose_one"))
how[1].caption(t("data.shape", rows=len(frame), columns=len(frame.columns)))
if table.delimiter:
    how[1].caption(t("data.delimiter", delimiter={"\t": "Tab", " ": "Space"}.get(table.delimiter, table.delimiter)))
st.dataframe(frame.head(20), width="stretch", hide_index=True)

columns = list(frame.columns)
text_column_widget, label_column_widget = st.columns(2)
# The value also goes in as the default: Streamlit's multiselect (1.67) sometimes mounts empty when
# its value was set only through session state, and the next rerun then sent that empty value
# back. The default does not change the widget's identity (it has a key); session state still wins.
text_columns = text_column_widget.multiselect(t("data.text_column"), columns, key=state.DATA_TEXT_COL,
                                              default=[c for c in st.session_state[state.DATA_TEXT_COL] if c in columns],
                                              help=t("data.text_column_help"), placeholder=t("common.choose_some"))
label_column = label_column_widget.selectbox(t("data.label_column"), columns, key=state.DATA_LABEL_COL,
                                             help=t("data.label_column_help"), placeholder=t("common.choose_one"))
if not text_columns:
    st.info(t("data.choose_text"), icon=":material/table_rows:")
    st.stop()
if len(text_columns) > 1:
    text_column_widget.caption(t("data.joined", columns=" + ".join(text_columns)))

limit = max_rows()
if len(frame) > limit:
    st.warning(t("data.too_many_rows", rows=len(frame), limit=limit), icon=":material/warning:")
    st.checkbox(t("data.sample", limit=limit), key=state.DATA_SAMPLE, help=t("data.sample_help"))

numeric_labels = numeric_label_values(frame, label_column)
if numeric_labels:
    with st.expander(t("data.name_labels"), icon=":material/label:"):
        st.caption(t("data.name_labels_help"))
        name_columns = st.columns(min(len(numeric_labels), 4))
        for index, label in enumerate(numeric_labels):
            name_columns[index % len(name_columns)].text_input(
                t("data.label_name", label=label), key=state.DATA_LABEL_NAME + label, placeholder=label, max_chars=60)

st.subheader(t("data.report"))
choices = state.data_choices()
state.remember_choices(choices)
for finding in table.findings:
    SEVERITY[finding.severity](t(finding.key, **finding.params), icon=ICONS[finding.severity])
try:
    dataset, report = state.validated(choices)
except UserError as error:
    st.session_state[state.DATASET] = None
    show_error(error)
    st.stop()
state.set_dataset(dataset, report, state.dataset_signature(choices))

kept, dropped_text, dropped_label, by_choice, classes = st.columns(5)
kept.metric(t("data.rows_kept"), f"{report.rows_kept:,}", help=t("data.rows_kept_help", total=report.rows_total))
dropped_text.metric(t("data.dropped_text"), f"{report.dropped_empty_text:,}")
dropped_label.metric(t("data.dropped_label"), f"{report.dropped_empty_label:,}")
by_choice.metric(t("data.dropped_choice"), f"{report.dropped_by_choices:,}",
                 help=t("data.dropped_choice_help"))
classes.metric(t("data.classes"), len(report.class_counts))

for finding in report.findings:
    SEVERITY[finding.severity](t(finding.key, **finding.params), icon=ICONS[finding.severity])

st.markdown(f"**{t('data.choices')}**")
choice_columns = st.columns(2)
choice_columns[0].checkbox(t("data.drop_duplicates"), key=state.DATA_DROP_DUPLICATES, help=t("data.drop_duplicates_help"))
choice_columns[0].checkbox(t("data.drop_conflicts"), key=state.DATA_DROP_CONFLICTS, help=t("data.drop_conflicts_help"))
choice_columns[1].checkbox(t("data.merge_labels"), key=state.DATA_MERGE_LABELS, help=t("data.merge_labels_help"))
choice_columns[1].checkbox(t("data.drop_single"), key=state.DATA_DROP_SINGLE, help=t("data.drop_single_help"))

ACTION_WORDS = {"": "data.labels_action_none", "accept": "data.labels_accept", "relabel": "data.labels_relabel",
                "drop": "data.labels_drop", "keep": "data.labels_keep"}


def check_labels() -> None:
    """The "Find labels that look wrong" button: cleanlab on a quick model, seconds."""
    choices = state.data_choices()
    try:
        issues = find(frame, list(choices.text_columns), choices.label_column, choices.corrections,
                      default_config(dataset.texts))
    except UserError as error:
        st.session_state[state.EVAL_ERROR] = error
        return
    st.session_state[state.LABEL_ISSUES] = {"key": state.label_check_key(choices), "issues": [i.to_dict() for i in issues],
                                            "version": 0}


def apply_label_decisions() -> None:
    """Apply the actions chosen in the table of flagged rows."""

    checked = st.session_state[state.LABEL_ISSUES]
    edited = st.session_state.get(state.label_editor_key(checked["version"])) or {}
    words = {t(key): action for action, key in ACTION_WORDS.items()}
    decisions = []
    for position, change in (edited.get("edited_rows") or {}).items():
        issue = checked["issues"][int(position)]
        action = words.get(change.get("action"), "")
        label = change.get("label") or ""
        if label and not action:
            action = "relabel"
        if action:
            decisions.append({**issue, "action": action, "label": label})
    apply_decisions_made(decisions)


def accept_confident() -> None:
    """The "Use every suggestion at least N % sure" button."""
    checked = st.session_state[state.LABEL_ISSUES]
    apply_decisions_made(accept_above(checked["issues"], st.session_state[state.LABEL_THRESHOLD] / 100))


def apply_decisions_made(decisions: list[dict]) -> None:
    """Apply ``decisions`` to the loaded file's corrections (undoable) and take their rows off the list."""
    checked = st.session_state[state.LABEL_ISSUES]
    if not decisions:
        return
    try:
        corrections = apply_decisions(state.data_choices().corrections, decisions)
    except UserError as error:
        st.session_state[state.EVAL_ERROR] = error
        return
    state.set_corrections(corrections)
    done = {decision["row"] for decision in decisions}
    checked["issues"] = [issue for issue in checked["issues"] if issue["row"] not in done]
    checked["version"] += 1      # a fresh table: the edits made were for the rows just handled


st.divider()
st.subheader(t("data.labels_title"))
st.caption(t("data.labels_help"))
check_column, undo_column = st.columns([3, 2])
check_column.button(t("data.labels_check"), key="data_labels_check", on_click=check_labels,
                    icon=":material/fact_check:")
if st.session_state[state.LABEL_HISTORY]:
    undo_column.button(t("data.labels_undo"), key="data_labels_undo", on_click=state.undo_corrections,
                       icon=":material/undo:")
if state.EVAL_ERROR in st.session_state:
    show_error(st.session_state.pop(state.EVAL_ERROR))
checked = st.session_state[state.LABEL_ISSUES]
if checked and checked["key"] == state.label_check_key(choices):
    if not checked["issues"]:
        st.success(t("data.labels_none"), icon=":material/check_circle:")
    else:
        st.warning(t("data.labels_found", n=len(checked["issues"]), rows=report.rows_kept), icon=":material/rule:")
        flagged = pd.DataFrame([{"row": issue["row"] + 2, "text": issue["text"], "given": issue["given"],
                               "suggested": issue["suggested"], "sure": f"{issue['confidence']:.0%}",
                               "action": t(ACTION_WORDS[""]), "label": ""} for issue in checked["issues"]])
        st.data_editor(flagged, key=state.label_editor_key(checked["version"]), hide_index=True, width="stretch",
                       disabled=["row", "text", "given", "suggested", "sure"],
                       column_config={
                           "row": st.column_config.NumberColumn(t("data.labels_row"), help=t("data.labels_row_help"),
                                                                format="%d"),
                           "text": st.column_config.TextColumn(t("data.labels_text"), width="large"),
                           "given": t("data.labels_given"), "suggested": t("data.labels_suggested"),
                           "sure": st.column_config.TextColumn(t("data.labels_sure"), help=t("data.labels_sure_help")),
                           "action": st.column_config.SelectboxColumn(
                               t("data.labels_action"), options=[t(key) for key in ACTION_WORDS.values()], required=True),
                           "label": st.column_config.TextColumn(t("data.labels_new"), help=t("data.labels_new_help"))})
        apply_column, sure_column, bulk_column = st.columns([2, 1, 2], vertical_alignment="bottom")
        apply_column.button(t("data.labels_apply"), key="data_labels_apply", on_click=apply_label_decisions,
                            type="primary", icon=":material/done_all:")
        sure_column.number_input(t("data.labels_threshold"), min_value=50, max_value=100, step=5,
                                 key=state.LABEL_THRESHOLD, help=t("data.labels_threshold_help"))
        confident = len(accept_above(checked["issues"], st.session_state[state.LABEL_THRESHOLD] / 100))
        bulk_column.button(t("data.labels_accept_all", n=confident, sure=st.session_state[state.LABEL_THRESHOLD]),
                           key="data_labels_accept_all", on_click=accept_confident, disabled=not confident,
                           icon=":material/select_check_box:")

st.plotly_chart(charts.class_bar(report.class_counts, t("data.per_class_chart"), t("data.examples"), ""),
                width="stretch", key="data_class_chart")
st.success(t("data.ready", rows=report.rows_kept, classes=len(report.class_counts)), icon=":material/check_circle:")
next_step, download = st.columns([3, 2])
with next_step:
    st.page_link("pages/preprocess.py", label=t("data.next"), icon=":material/arrow_forward:")
download.download_button(t("data.download"), cleaned_csv(dataset), file_name=f"{Path(table.name).stem}-clean.csv",
                         mime="text/csv", key="data_download", icon=":material/download:", help=t("data.download_help"))


def read_unlabelled() -> None:
    """The user dropped a file of unlabelled texts in the second box."""
    upload = st.session_state.get(state.DATA_UNLABELLED_UPLOAD)
    if upload is None or upload.file_id == st.session_state[state.UNLABELLED_ID]:
        return
    st.session_state[state.UNLABELLED_ID] = upload.file_id
    try:
        state.set_unlabelled(upload.getvalue(), upload.name)
    except UserError as error:
        st.session_state[state.UNLABELLED_ERROR] = error


st.divider()
st.subheader(t("data.unlabelled"))
st.caption(t("data.unlabelled_help"))
st.file_uploader(t("data.unlabelled_upload"), key=state.DATA_UNLABELLED_UPLOAD, type=UPLOAD_TYPES,
                 on_change=read_unlabelled, help=t("data.unlabelled_upload_help"))
unlabelled_error = st.session_state.pop(state.UNLABELLED_ERROR, None)
if unlabelled_error is not None:
    show_error(unlabelled_error)
extra = st.session_state[state.UNLABELLED]
if extra:
    line, remove = st.columns([4, 1])
    line.success(t("data.unlabelled_ready", n=f"{len(extra['texts']):,}", name=extra["name"])
                 + (" " + t("data.unlabelled_cut", n=f"{extra['cut']:,}") if extra["cut"] else ""),
                 icon=":material/library_books:")
    remove.button(t("data.unlabelled_remove"), key="data_unlabelled_remove", on_click=state.remove_unlabelled,
                  icon=":material/delete:")
total = len(state.unlabelled_for_training())
if total:
    st.caption(t("data.unlabelled_total", n=f"{total:,}", rows=f"{len(dataset.unlabelled):,}"))
