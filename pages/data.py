"""Data page: load a table (upload or bundled sample), choose the columns, read the report."""

from pathlib import Path

import streamlit as st

from core import charts
from core.data import (SAMPLES, CleaningChoices, cleaned_csv, guess_columns, load_table, max_rows,
                       numeric_label_values, read_pasted, validate)
from core.errors import UserError
from core.reading import UPLOAD_TYPES
from ui import state
from ui.common import page_header, show_error, t

state.require_app()  # opened by its address before app.py ran (login, workspace): go through app.py

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "big5", "shift_jis", "utf-16", "cp1252", "latin-1"]
SEVERITY = {"error": st.error, "warning": st.warning, "info": st.info}
ICONS = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}

page_header("data")


def read(raw: bytes, name: str, encoding=None, sheet=None) -> None:
    """Read ``raw`` into the session, or show why it cannot be read."""
    try:
        state.set_table(load_table(raw, name, encoding, sheet), raw)
    except UserError as error:
        st.session_state[state.LOAD_ERROR] = error


def read_paste() -> None:
    """The user pasted rows (from a spreadsheet or typed) and pressed the button."""
    text = st.session_state.get("data_paste", "")
    try:
        table = read_pasted(text)
        state.set_table(table, text.encode("utf-8"))
    except UserError as error:
        st.session_state[state.LOAD_ERROR] = error


def load_sample(name: str) -> None:
    read(SAMPLES[name].path.read_bytes(), SAMPLES[name].filename)


def reread() -> None:
    """The user picked another encoding or sheet: read the same bytes again."""
    table = st.session_state[state.TABLE]
    encoding = st.session_state.get("data_encoding")
    read(st.session_state[state.RAW], table.name.split("/", 1)[0],
         None if encoding in (None, "auto") else encoding, st.session_state.get("data_sheet"))


upload_column, sample_column = st.columns([3, 2], gap="large")
with upload_column:
    upload = st.file_uploader(t("data.upload"), key="data_upload", help=t("data.upload_help"),
                              type=UPLOAD_TYPES)
    with st.expander(t("data.paste"), icon=":material/content_paste:"):
        st.text_area(t("data.paste_label"), key="data_paste", height=150, placeholder=t("data.paste_placeholder"))
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
    read(upload.getvalue(), upload.name)

error = st.session_state.pop(state.LOAD_ERROR, None)
if error is not None:
    show_error(error)
table = st.session_state[state.TABLE]
if table is None:
    if error is None:
        st.info(t("data.start_hint"), icon=":material/upload_file:")
    st.stop()
frame = table.frame

st.divider()
st.subheader(t("data.preview", name=table.name))
how = st.columns([2, 2, 3])
if table.sheets:
    how[0].selectbox(t("data.sheet"), table.sheets, index=table.sheets.index(table.sheet), key="data_sheet",
                     on_change=reread, help=t("data.sheet_help"))
if table.encoding:
    options = ["auto"] + ENCODINGS
    how[0].selectbox(t("data.encoding"), options, key="data_encoding", on_change=reread,
                     format_func=lambda value: t("data.encoding_auto", encoding=table.encoding) if value == "auto" else value,
                     help=t("data.encoding_help"))
how[1].caption(t("data.shape", rows=len(frame), columns=len(frame.columns)))
if table.delimiter:
    how[1].caption(t("data.delimiter", delimiter={"\t": "Tab", " ": "Space"}.get(table.delimiter, table.delimiter)))
st.dataframe(frame.head(20), width="stretch", hide_index=True)

columns = list(frame.columns)
guessed_text, guessed_label = guess_columns(frame)
text_column_widget, label_column_widget = st.columns(2)
text_columns = text_column_widget.multiselect(t("data.text_column"), columns, default=[guessed_text],
                                              key="data_text_col", help=t("data.text_column_help"))
label_index = columns.index(guessed_label) if guessed_label in columns else 0
label_column = label_column_widget.selectbox(t("data.label_column"), columns, index=label_index,
                                             key="data_label_col", help=t("data.label_column_help"))
if not text_columns:
    st.info(t("data.choose_text"), icon=":material/table_rows:")
    st.stop()
if len(text_columns) > 1:
    text_column_widget.caption(t("data.joined", columns=" + ".join(text_columns)))

limit = max_rows()
if len(frame) > limit:
    st.warning(t("data.too_many_rows", rows=len(frame), limit=limit), icon=":material/warning:")
    st.checkbox(t("data.sample", limit=limit), key="data_sample", help=t("data.sample_help"))

numeric_labels = numeric_label_values(frame, label_column)
if numeric_labels:
    with st.expander(t("data.name_labels"), icon=":material/label:"):
        st.caption(t("data.name_labels_help"))
        name_columns = st.columns(min(len(numeric_labels), 4))
        for index, label in enumerate(numeric_labels):
            name_columns[index % len(name_columns)].text_input(
                t("data.label_name", label=label), key=f"data_label_name_{label}", placeholder=label, max_chars=60)

st.subheader(t("data.report"))
choices = CleaningChoices(
    drop_duplicates=st.session_state.get("data_drop_duplicates", False),
    drop_conflicts=st.session_state.get("data_drop_conflicts", False),
    merge_label_variants=st.session_state.get("data_merge_labels", False),
    drop_single_classes=st.session_state.get("data_drop_single", False),
    label_names={label: st.session_state.get(f"data_label_name_{label}", "") for label in numeric_labels},
    sample_rows=limit if st.session_state.get("data_sample") else None,
)
for finding in table.findings:
    SEVERITY[finding.severity](t(finding.key, **finding.params), icon=ICONS[finding.severity])
try:
    dataset, report = validate(frame, text_columns, label_column, choices)
except UserError as error:
    st.session_state[state.DATASET] = None
    show_error(error)
    st.stop()
state.set_dataset(dataset, report, (table.name, tuple(text_columns), label_column, len(frame), choices.sample_rows))

kept, dropped_text, dropped_label, by_choice, classes = st.columns(5)
kept.metric(t("data.rows_kept"), f"{report.rows_kept:,}", help=t("data.rows_kept_help", total=report.rows_total))
dropped_text.metric(t("data.dropped_text"), f"{report.dropped_empty_text:,}")
dropped_label.metric(t("data.dropped_label"), f"{report.dropped_empty_label:,}")
by_choice.metric(t("data.dropped_choice"), f"{report.dropped_duplicates + report.dropped_conflicts + report.dropped_single:,}",
                 help=t("data.dropped_choice_help"))
classes.metric(t("data.classes"), len(report.class_counts))

for finding in report.findings:
    SEVERITY[finding.severity](t(finding.key, **finding.params), icon=ICONS[finding.severity])

st.markdown(f"**{t('data.choices')}**")
choice_columns = st.columns(2)
choice_columns[0].checkbox(t("data.drop_duplicates"), key="data_drop_duplicates", help=t("data.drop_duplicates_help"))
choice_columns[0].checkbox(t("data.drop_conflicts"), key="data_drop_conflicts", help=t("data.drop_conflicts_help"))
choice_columns[1].checkbox(t("data.merge_labels"), key="data_merge_labels", help=t("data.merge_labels_help"))
choice_columns[1].checkbox(t("data.drop_single"), key="data_drop_single", help=t("data.drop_single_help"))

st.plotly_chart(charts.class_bar(report.class_counts, t("data.per_class_chart"), t("data.examples"), ""),
                width="stretch", key="data_class_chart")
st.success(t("data.ready", rows=report.rows_kept, classes=len(report.class_counts)), icon=":material/check_circle:")
next_step, download = st.columns([3, 2])
with next_step:
    st.page_link("pages/preprocess.py", label=t("data.next"), icon=":material/arrow_forward:")
download.download_button(t("data.download"), cleaned_csv(dataset), file_name=f"{Path(table.name).stem}-clean.csv",
                         mime="text/csv", key="data_download", icon=":material/download:", help=t("data.download_help"))
