"""Predict page: type a text, see the label and the probability of every class."""

import random
from pathlib import Path

import streamlit as st

from core.base.errors import UserError
from core.data.dataset import load_table
from core.data.reading import UPLOAD_TYPES
from core.evaluation import charts
from core.evaluation.explain import explain, highlight_html, top_tokens, weight_text
from core.service.batch import for_people, predict_table, skipped_counts, table_bytes, text_columns_for
from ui import state
from ui.common import model_picker, page_header, show_error, t

page_header("pred")
model_id, record = model_picker("predict_model")
bundle = record["bundle"]


def fill_example() -> None:
    examples = state.store().test_split(model_id)
    if len(examples):
        st.session_state[state.PREDICT_TEXT] = examples["text"].iloc[random.randrange(len(examples))]


st.text_area(t("pred.text"), key=state.PREDICT_TEXT, height=140, placeholder=t("pred.placeholder"))
go, example = st.columns([1, 1])
go.button(t("pred.go"), type="primary", key="predict_go", width="stretch")
example.button(t("pred.example"), key="predict_example", on_click=fill_example, width="stretch")

text = st.session_state.get(state.PREDICT_TEXT, "")
if text.strip():
    result = bundle.predict_one(text)
    label = result["label"]
    probability = result["probabilities"][label]
    st.markdown(f"### {t('pred.result')}")
    st.metric(t("pred.label"), label, help=t("pred.label_help"))
    st.caption(t("pred.confidence", p=f"{probability:.1%}"))
    if bundle.decision:
        st.caption(t("eval.threshold_current", positive=bundle.decision["positive"],
                     threshold=bundle.decision["threshold"]))
    st.plotly_chart(charts.probability_bar(result["probabilities"], t("pred.chart"), t("pred.probability"), label),
                    width="stretch", key="predict_chart")
    why = explain(bundle, text, label)
    st.markdown(f"**{t('pred.why')}**", help=t("pred.why_help"))
    # Every token is escaped by highlight_html; the spans only carry colours.
    st.html(highlight_html(why))
    top = top_tokens(why)
    if top:
        st.caption(t("pred.top_words", label=label, words="  ·  ".join(f"{token} ({weight_text(weight)})" for token, weight in top)))
    if why["cut"]:
        st.caption(t("pred.cut", n=why["cut"]))
else:
    st.caption(t("pred.empty"))

st.divider()
st.subheader(t("pred.file_title"))
upload = st.file_uploader(t("pred.file"), key="predict_file", help=t("pred.file_help"),
                          type=UPLOAD_TYPES)
if upload is not None:
    try:
        table = load_table(upload.getvalue(), upload.name, keep_bad_lines=True)
        for finding in table.findings:   # what the reader noticed, as on the Data page (lines kept without a prediction …)
            st.warning(t(finding.key, **finding.params), icon=":material/warning:")
        columns = list(table.frame.columns)
        chosen = st.multiselect(t("pred.file_columns"), columns, default=text_columns_for(bundle, table.frame),
                                key="predict_file_columns", placeholder=t("common.choose_some"))
        if chosen:
            bar = st.progress(0.0, text=t("pred.file_progress", done=0, total=len(table.frame)))
            result = predict_table(bundle, table.frame, chosen, kept_lines=table.kept_lines,
                                   progress=lambda done, total: bar.progress(
                                       done / max(1, total), text=t("pred.file_progress", done=done, total=total)))
            bar.empty()
            skipped = skipped_counts(result)
            st.success(t("pred.file_done", rows=len(result) - sum(skipped.values()), total=len(result),
                         empty=skipped["empty"], malformed=skipped["malformed"]), icon=":material/check_circle:")
            # On screen an empty cell is empty (not "None"); the file keeps the machine-readable columns.
            people = for_people(result, t, bundle.labels)      # headers and reasons in the UI's language
            shown = people.head(100)
            st.dataframe(shown.astype(object).where(shown.notna(), "").astype(str), width="stretch", hide_index=True,
                         key="predict_file_table")
            stem = Path(upload.name).stem
            for_programs = st.radio(t("pred.file_headers"), [True, False], horizontal=True, key=state.PREDICT_HEADERS,
                                    format_func=lambda machine: t("pred.headers_programs" if machine
                                                                  else "pred.headers_people"),
                                    help=t("pred.file_headers_help"))
            result = result if for_programs else people
            as_csv, as_xlsx = st.columns(2)
            as_csv.download_button(t("pred.file_download"), table_bytes(result, "csv"),
                                   file_name=f"{stem}-predictions.csv", mime="text/csv",
                                   key="predict_file_download", icon=":material/download:", width="stretch")
            as_xlsx.download_button(t("pred.file_download_xlsx"), lambda: table_bytes(result, "xlsx"),
                                    file_name=f"{stem}-predictions.xlsx", key="predict_file_download_xlsx",
                                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                    icon=":material/download:", width="stretch")
            st.caption(t("pred.file_safe"))
    except UserError as error:
        show_error(error)
