"""Data page: load a table (upload or bundled sample), choose the columns, read the report."""

import streamlit as st

from core import charts
from core.data import SAMPLES, guess_columns, read_table, validate
from core.errors import UserError
from ui import state
from ui.common import page_header, show_error, t

page_header("data")


def load_sample(name: str) -> None:
    state.set_frame(read_table(SAMPLES[name].path), name)


upload_column, sample_column = st.columns([3, 2], gap="large")
with upload_column:
    upload = st.file_uploader(t("data.upload"), type=["csv", "tsv", "txt", "xlsx", "xls", "jsonl", "json"],
                              key="data_upload", help=t("data.upload_help"))
with sample_column:
    st.markdown(f"**{t('data.samples')}**")
    for name, sample in SAMPLES.items():
        icon = ":material/sms:" if name == "sms_spam" else ":material/newspaper:"
        st.button(t(f"sample.{name}"), key=f"sample_{name}", on_click=load_sample, args=(name,), icon=icon,
                  width="stretch")
    st.caption(t("data.samples_note"))

if upload is not None and upload.file_id != st.session_state[state.UPLOAD_ID]:
    st.session_state[state.UPLOAD_ID] = upload.file_id
    try:
        state.set_frame(read_table(upload.getvalue(), upload.name), upload.name)
    except UserError as error:
        show_error(error)
        st.stop()

frame = st.session_state[state.FRAME]
if frame is None:
    st.info(t("data.start_hint"), icon=":material/upload_file:")
    st.stop()

st.divider()
st.subheader(t("data.preview", name=st.session_state[state.SOURCE_NAME]))
st.caption(t("data.shape", rows=len(frame), columns=len(frame.columns)))
st.dataframe(frame.head(20), width="stretch", hide_index=True)

columns = list(frame.columns)
guessed_text, guessed_label = guess_columns(frame)
text_column_widget, label_column_widget = st.columns(2)
text_column = text_column_widget.selectbox(t("data.text_column"), columns, index=columns.index(guessed_text),
                                           key="data_text_col", help=t("data.text_column_help"))
label_index = columns.index(guessed_label) if guessed_label in columns else 0
label_column = label_column_widget.selectbox(t("data.label_column"), columns, index=label_index,
                                             key="data_label_col", help=t("data.label_column_help"))

st.subheader(t("data.report"))
try:
    dataset, report = validate(frame, text_column, label_column)
except UserError as error:
    st.session_state[state.DATASET] = None
    show_error(error)
    st.stop()
state.set_dataset(dataset, report, (st.session_state[state.SOURCE_NAME], text_column, label_column, len(frame)))

kept, dropped_text, dropped_label, classes = st.columns(4)
kept.metric(t("data.rows_kept"), f"{report.rows_kept:,}", help=t("data.rows_kept_help", total=report.rows_total))
dropped_text.metric(t("data.dropped_text"), f"{report.dropped_empty_text:,}")
dropped_label.metric(t("data.dropped_label"), f"{report.dropped_empty_label:,}")
classes.metric(t("data.classes"), len(report.class_counts))

for key, params in report.warnings:
    st.warning(t(key, **params), icon=":material/warning:")
st.plotly_chart(charts.class_bar(report.class_counts, t("data.per_class_chart"), t("data.examples"), ""),
                width="stretch", key="data_class_chart")
st.success(t("data.ready", rows=report.rows_kept, classes=len(report.class_counts)), icon=":material/check_circle:")
st.page_link("pages/preprocess.py", label=t("data.next"), icon=":material/arrow_forward:")
