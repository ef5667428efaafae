"""Evaluate page: test-split metrics, per-class table and confusion matrix of a model."""

from pathlib import Path

import pandas as pd
import streamlit as st

from core import charts
from core.baseline import verdict
from core.batch import text_columns_for
from core.data import guess_columns, load_table, validate
from core.errors import UserError
from core.diagnose import diagnose
from core.evaluate import evaluate, majority_baseline, mistakes, predictions
from core.explain import class_words, explain, highlight_html
from core.reading import UPLOAD_TYPES
from core.store import ModelStore
from ui.common import model_picker, page_header, show_error, t

ALL = "*"

page_header("eval")
model_id, record = model_picker("eval_model")
bundle = record["bundle"]
test = bundle.metrics.get("test")
if not test:
    st.info(t("eval.no_test"), icon=":material/info:")
    st.stop()

split = ModelStore().test_split(model_id)
baseline = majority_baseline(split["label"]) if len(split) else None
accuracy, macro_f1, rows, validation, floor = st.columns(5)
accuracy.metric(t("eval.accuracy"), f"{test['accuracy']:.1%}", help=t("eval.accuracy_help"),
                delta=t("eval.vs_baseline", points=f"{(test['accuracy'] - baseline['accuracy']) * 100:+.1f}")
                if baseline else None)
macro_f1.metric(t("eval.macro_f1"), f"{test['macro_f1']:.3f}", help=t("eval.macro_f1_help"))
rows.metric(t("eval.test_rows"), f"{test['n']:,}", help=t("eval.test_rows_help"))
validation.metric(t("eval.val_accuracy"), f"{bundle.metrics.get('val_accuracy', 0):.1%}")
if baseline:
    floor.metric(t("eval.baseline", label=baseline["label"]), f"{baseline['accuracy']:.1%}", help=t("eval.baseline_help"))

plain = bundle.metrics.get("baseline")
if plain and plain.get("on") == "test":
    outcome = verdict(test["accuracy"], plain["accuracy"])
    {"better": st.success, "same": st.info, "worse": st.warning}[outcome](
        t(f"eval.verdict_{outcome}", points=f"{abs(test['accuracy'] - plain['accuracy']) * 100:.1f}",
          baseline=f"{plain['accuracy']:.1%}", baseline_f1=f"{plain['macro_f1']:.3f}",
          baseline_seconds=plain["train_seconds"], seconds=round(bundle.metrics.get("train_seconds", 0))),
        icon=":material/balance:")

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

cache = st.session_state.setdefault("eval_predictions", {})
if model_id not in cache:
    cache[model_id] = predictions(bundle, split["text"].tolist(), split["label"].tolist())
answers = cache[model_id]
wrong = mistakes(bundle, [], [], table=answers)

# -- what the curves and results say ------------------------------------------------------------
st.subheader(t("eval.diagnosis"))
signs = diagnose(bundle.metrics, bundle.settings, answers)
for sign in signs:
    (st.warning if sign.severity == "warning" else st.info)(t(sign.key, **sign.params), icon=":material/stethoscope:")
if not signs:
    st.success(t("eval.healthy"), icon=":material/check_circle:")

# -- the examples it got wrong ------------------------------------------------------------------
st.subheader(t("eval.mistakes"))
st.plotly_chart(charts.confidence_histogram(
    answers.loc[answers["correct"].astype(bool), "confidence"], answers.loc[~answers["correct"].astype(bool), "confidence"],
    t("eval.confidence_chart"), t("eval.col_confidence"), t("eval.test_rows"), t("eval.right"), t("eval.wrong")),
    width="stretch", key="eval_confidence_chart")
st.caption(t("eval.confidence_help"))
if wrong.empty:
    st.success(t("eval.no_mistakes"), icon=":material/check_circle:")
else:
    st.caption(t("eval.mistakes_help", n=len(wrong), total=len(split)))
    choose_true, choose_predicted = st.columns(2)
    true_class = choose_true.selectbox(t("eval.filter_true"), [ALL] + bundle.labels, key="eval_filter_true",
                                       format_func=lambda value: t("eval.any_class") if value == ALL else value)
    predicted_class = choose_predicted.selectbox(t("eval.filter_predicted"), [ALL] + bundle.labels,
                                                 key="eval_filter_predicted",
                                                 format_func=lambda value: t("eval.any_class") if value == ALL else value)
    shown = wrong[((wrong["label"] == true_class) | (true_class == ALL))
                  & ((wrong["predicted"] == predicted_class) | (predicted_class == ALL))]
    st.dataframe(shown.rename(columns={"text": t("eval.col_text"), "label": t("eval.actual"),
                                       "predicted": t("eval.predicted"), "confidence": t("eval.col_confidence"),
                                       "p_true": t("eval.col_p_true")}),
                 width="stretch", hide_index=True, key="eval_mistakes_table", height=300)
    if len(shown):
        pick = st.selectbox(t("eval.explain_pick"), shown.index.tolist(), key="eval_explain_pick",
                            format_func=lambda i: wrong.loc[i, "text"][:120])
        why = explain(bundle, wrong.loc[pick, "text"])
        st.caption(t("eval.explain_caption", predicted=why["label"], actual=wrong.loc[pick, "label"]))
        st.html(highlight_html(why))
    st.download_button(t("eval.download_mistakes"), wrong.to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"{model_id}-mistakes.csv", mime="text/csv", key="eval_download_mistakes",
                       icon=":material/download:")

# -- the words behind each class ----------------------------------------------------------------
st.subheader(t("eval.class_words"))
words_cache = st.session_state.setdefault("eval_class_words", {})
if model_id not in words_cache:
    words_cache[model_id] = class_words(bundle, split["text"].tolist())
st.caption(t("eval.class_words_help", n=min(200, len(split))))
st.dataframe(pd.DataFrame({t("eval.class"): list(words_cache[model_id]),
                           t("eval.words"): [" · ".join(token for token, _ in words)
                                             for words in words_cache[model_id].values()]}),
             width="stretch", hide_index=True, key="eval_class_words_table")

# -- a new labelled file ------------------------------------------------------------------------
st.subheader(t("eval.new_file"))
upload = st.file_uploader(t("eval.new_file_upload"), key="eval_file", help=t("eval.new_file_help"),
                          type=UPLOAD_TYPES)
if upload is not None:
    try:
        table = load_table(upload.getvalue(), upload.name)
        trained_label = bundle.settings.get("data", {}).get("label_column")
        label_column = trained_label if trained_label in table.frame.columns else guess_columns(table.frame)[1]
        dataset, _ = validate(table.frame, text_columns_for(bundle, table.frame), label_column)
        result = evaluate(bundle, dataset.texts, dataset.labels)
        first, second, third = st.columns(3)
        first.metric(t("eval.accuracy"), f"{result['accuracy']:.1%}")
        second.metric(t("eval.macro_f1"), f"{result['macro_f1']:.3f}")
        third.metric(t("eval.test_rows"), f"{result['n']:,}")
        if result["unknown_labels"]:
            st.warning(t("eval.unknown_labels", labels=", ".join(result["unknown_labels"])), icon=":material/warning:")
        st.plotly_chart(charts.confusion_figure(result["confusion"], result["labels"], t("eval.confusion"),
                                                t("eval.predicted"), t("eval.actual")),
                        width="stretch", key="eval_file_confusion")
        st.caption(t("eval.new_file_columns", text=dataset.text_column, label=label_column,
                     name=Path(upload.name).name))
    except UserError as error:
        show_error(error)
