"""Evaluate page: test-split metrics, per-class table and confusion matrix of a model."""

import pandas as pd
import streamlit as st

from core import charts
from ui.common import model_picker, page_header, t

page_header("eval")
model_id, record = model_picker("eval_model")
bundle = record["bundle"]
test = bundle.metrics.get("test")
if not test:
    st.info(t("eval.no_test"), icon=":material/info:")
    st.stop()

accuracy, macro_f1, rows, validation = st.columns(4)
accuracy.metric(t("eval.accuracy"), f"{test['accuracy']:.1%}", help=t("eval.accuracy_help"))
macro_f1.metric(t("eval.macro_f1"), f"{test['macro_f1']:.3f}", help=t("eval.macro_f1_help"))
rows.metric(t("eval.test_rows"), f"{test['n']:,}", help=t("eval.test_rows_help"))
validation.metric(t("eval.val_accuracy"), f"{bundle.metrics.get('val_accuracy', 0):.1%}")

table_column, matrix_column = st.columns([2, 3], gap="large")
with table_column:
    st.subheader(t("eval.per_class"))
    table = pd.DataFrame([{
        t("eval.class"): row["label"],
        t("eval.precision"): round(row["precision"], 3),
        t("eval.recall"): round(row["recall"], 3),
        t("eval.f1"): round(row["f1"], 3),
        t("eval.support"): row["support"],
    } for row in test["per_class"]])
    st.dataframe(table, width="stretch", hide_index=True, key="eval_table")
    st.caption(t("eval.per_class_help"))
with matrix_column:
    st.plotly_chart(charts.confusion_figure(test["confusion"], test["labels"], t("eval.confusion"),
                                            t("eval.predicted"), t("eval.actual")),
                    width="stretch", key="eval_confusion")
    st.caption(t("eval.confusion_help"))
