"""Predict page: type a text, see the label and the probability of every class."""

import random

import streamlit as st

from core import charts
from core.store import ModelStore
from ui.common import model_picker, page_header, t

page_header("pred")
model_id, record = model_picker("predict_model")
bundle = record["bundle"]


def fill_example() -> None:
    examples = ModelStore().test_split(model_id)
    if len(examples):
        st.session_state["predict_text"] = examples["text"].iloc[random.randrange(len(examples))]


st.text_area(t("pred.text"), key="predict_text", height=140, placeholder=t("pred.placeholder"))
go, example = st.columns([1, 1])
go.button(t("pred.go"), type="primary", key="predict_go", width="stretch")
example.button(t("pred.example"), key="predict_example", on_click=fill_example, width="stretch")

text = st.session_state.get("predict_text", "")
if text.strip():
    result = bundle.predict_one(text)
    label = result["label"]
    probability = result["probabilities"][label]
    st.markdown(f"### {t('pred.result')}")
    st.metric(t("pred.label"), label, help=t("pred.label_help"))
    st.caption(t("pred.confidence", p=f"{probability:.1%}"))
    st.plotly_chart(charts.probability_bar(result["probabilities"], t("pred.chart"), t("pred.probability")),
                    width="stretch", key="predict_chart")
else:
    st.caption(t("pred.empty"))
