"""Evaluate page: test-split metrics, confusion matrix, decision threshold, mistakes, diagnosis,
comparison with another run, a new labelled file and the HTML report of a model."""

import html
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from core.base.config import ModelConfig
from core.base.errors import UserError
from core.base.i18n import seconds
from core.data.dataset import guess_columns, load_table, validate
from core.data.reading import UPLOAD_TYPES
from core.evaluation import charts
from core.evaluation.curve import learning_curve, training_rows
from core.evaluation.diagnose import diagnose
from core.evaluation.explain import class_words, explain, highlight_html
from core.evaluation.labels import file_rows_of, model_label_issues
from core.evaluation.report import html_report
from core.models.baseline import NAME_KEYS, verdict
from core.models.evaluate import (
    automatic_summary,
    binary_curves,
    classification_metrics,
    compare_runs,
    evaluate,
    majority_baseline,
    mistakes,
    positive_probability,
    predictions,
    rethreshold,
)
from core.service.batch import text_columns_for
from core.service.serve import served_name
from core.store import fingerprint
from core.training.jobs import get_job, start_training
from ui import state
from ui.common import describe_changes, lang, model_picker, page_header, show_error, t

page_header("eval")

ALL = "*"
TFIDF = "tfidf"

model_id, record = model_picker("eval_model")
bundle, entry = record["bundle"], record["entry"]
info = bundle.info
if info.test is None:
    st.info(t("eval.no_test"), icon=":material/info:")
    st.stop()

store = state.store()
split = store.test_split(model_id)
# What is computed from a model is kept for the model as stored now (its version changes when a
# threshold is saved), and only for the last two models looked at.
version = (model_id, record["version"])
saved_answers = state.memo("eval_predictions", version,
                           lambda: predictions(bundle, split["text"].tolist(), split["label"].tolist()))

summary = st.container()
table_column, matrix_column = st.columns([2, 3], gap="large")

# -- decision threshold (two classes): drawn below the matrix, read first -----------------------
answers = saved_answers
if len(bundle.labels) == 2 and len(split):
    with st.container(border=True):
        st.subheader(t("eval.threshold_title"))
        st.caption(t("eval.threshold_intro"))
        decision = bundle.decision
        counts = split["label"].value_counts()
        default_positive = decision["positive"] if decision else min(bundle.labels, key=lambda label: counts.get(label, 0))
        pick, slide = st.columns([1, 2])
        positive = pick.selectbox(t("eval.threshold_positive"), bundle.labels, key=f"eval_positive_{model_id}",
                                  index=bundle.labels.index(default_positive), placeholder=t("common.choose_one"))
        saved = decision["threshold"] if decision and decision["positive"] == positive else 0.5
        threshold = slide.slider(t("eval.threshold_slider", positive=positive), 0.01, 0.99, float(saved), 0.01,
                                 key=f"eval_threshold_{model_id}_{positive}", help=t("eval.threshold_help"))
        # Answers under the saved rule, re-decided under the slider's.
        answers = rethreshold(saved_answers, bundle.labels, positive, threshold)
        live = classification_metrics(answers["label"], answers["predicted"], bundle.labels)
        row = next(row for row in live.per_class if row["label"] == positive)
        st.write(t("eval.threshold_effect", threshold=f"{threshold:.2f}", positive=positive,
                   precision=f"{row['precision']:.1%}", recall=f"{row['recall']:.1%}", accuracy=f"{live.accuracy:.1%}"))
        st.caption(t("eval.threshold_current", positive=decision["positive"], threshold=decision["threshold"])
                   if decision else t("eval.threshold_usual"))

        def keep_threshold(chosen_positive, value):
            try:
                saved_bundle = store.save_decision(model_id, chosen_positive, value)
            except UserError as error:
                st.session_state[state.EVAL_ERROR] = error
            else:
                state.put_bundle(model_id, saved_bundle)
                if chosen_positive:
                    st.session_state[state.EVAL_NOTICE] = ("eval.threshold_saved",
                                                           {"positive": chosen_positive, "threshold": f"{value:.2f}"})

        save, reset = st.columns(2)
        save.button(t("eval.threshold_save"), key="eval_threshold_save", icon=":material/save:",
                    on_click=keep_threshold, args=(positive, threshold), width="stretch")
        reset.button(t("eval.threshold_reset"), key="eval_threshold_reset", disabled=decision is None,
                     on_click=keep_threshold, args=(None, None), width="stretch")
        done = st.session_state.pop(state.EVAL_NOTICE, None)
        if done:
            st.success(t(done[0], **done[1]), icon=":material/save:")
        if state.EVAL_ERROR in st.session_state:
            show_error(st.session_state.pop(state.EVAL_ERROR))
        try:
            curves = binary_curves(positive_probability(saved_answers, positive), saved_answers["label"] == positive)
        except UserError as error:
            show_error(error)
        else:
            roc, pr = st.columns(2)
            marker = t("eval.threshold_marker")
            roc.plotly_chart(charts.roc_figure(curves, t("eval.roc_chart", auc=f"{curves['roc']['auc']:.3f}"),
                                               t("eval.fpr"), t("eval.tpr"), threshold, marker),
                             width="stretch", key="eval_roc")
            pr.plotly_chart(charts.pr_figure(curves, t("eval.pr_chart", ap=f"{curves['pr']['average_precision']:.3f}"),
                                             t("eval.recall"), t("eval.precision"), threshold, marker),
                            width="stretch", key="eval_pr")
            st.caption(t("eval.curves_help", positive=positive))

def offer_tfidf() -> None:
    """When the plain baseline is as good or better: train it as a model of its own, on the same
    data, split and words (seconds), if this session still holds that data."""
    dataset = st.session_state[state.DATASET]
    same_data = dataset is not None and entry.trained_on(data_fingerprint(dataset))
    job = get_job(st.session_state[state.JOB_ID])
    busy = job is not None and not job.snapshot().finished

    def start():
        train_config = replace(info.train, baseline=False)
        preprocess = replace(bundle.preprocess, max_length=None)
        try:
            started = start_training(dataset, preprocess, ModelConfig(), train_config, f"{entry.name}-tfidf"[:60],
                                     entry.dataset, state.store(), kind="tfidf")
        except UserError as error:
            st.session_state[state.EVAL_ERROR] = error
        else:
            st.session_state[state.JOB_ID] = started.job_id
            st.session_state[state.EVAL_TFIDF_STARTED] = True

    st.button(t("eval.use_tfidf"), key="eval_use_tfidf", on_click=start, disabled=not same_data or busy,
              icon=":material/bolt:", help=t("eval.use_tfidf_help") if same_data else t("eval.use_tfidf_no_data"))
    if st.session_state.pop(state.EVAL_TFIDF_STARTED, False):
        st.success(t("eval.tfidf_started"), icon=":material/check_circle:")
        st.page_link("pages/train.py", label=t("nav.train"), icon=":material/model_training:")
    if state.EVAL_ERROR in st.session_state:
        show_error(st.session_state.pop(state.EVAL_ERROR))


def data_fingerprint(dataset) -> str:
    return state.memo("eval_fingerprint", st.session_state[state.DATASET_VERSION],
                      lambda: fingerprint(dataset.texts, dataset.labels), keep=1)


test = classification_metrics(answers["label"], answers["predicted"], bundle.labels) if len(answers) else info.test

# -- headline figures ---------------------------------------------------------------------------
with summary:
    floor_rule = majority_baseline(split["label"]) if len(split) else None
    first_row, second_row = st.columns(3), st.columns(3)
    first_row[0].metric(t("eval.accuracy"), f"{test.accuracy:.1%}", help=t("eval.accuracy_help"),
                        delta=t("eval.vs_floor", points=f"{(test.accuracy - floor_rule['accuracy']) * 100:+.1f}")
                        if floor_rule else None)
    first_row[1].metric(t("eval.macro_f1"), f"{test.macro_f1:.3f}", help=t("eval.macro_f1_help"))
    first_row[2].metric(t("report.weighted_f1"), f"{test.weighted_f1:.3f}", help=t("eval.weighted_f1_help"))
    second_row[0].metric(t("eval.test_rows"), f"{test.n:,}", help=t("eval.test_rows_help"))
    second_row[1].metric(t("eval.val_accuracy"), f"{info.val_accuracy:.1%}")
    if floor_rule:
        second_row[2].metric(t("eval.floor", label=floor_rule["label"]), f"{floor_rule['accuracy']:.1%}",
                             help=t("eval.floor_help"))
    plain = info.baseline
    automatic = automatic_summary(bundle.settings, bundle.metrics)
    if automatic:
        st.markdown(f"**{t('eval.auto_title')}**")
        candidate_names = {"network": t("eval.auto_network"), "tfidf": t("report.tfidf"),
                           "nblr": t("eval.auto_nblr"), "svm": t("eval.auto_svm"),
                           "blend": t("eval.auto_blend", weight=f"{automatic['weight'] or 0:.2f}")}
        st.dataframe(pd.DataFrame([{
            t("eval.auto_model"): ("✓ " if row["kept"] else "") + candidate_names.get(row["name"], row["name"]),
            t("eval.val_accuracy"): f"{row['val_accuracy']:.1%}",
            t("eval.accuracy"): f"{row['test_accuracy']:.1%}" if "test_accuracy" in row else "–",
            t("eval.macro_f1"): f"{row['macro_f1']:.3f}" if "macro_f1" in row else "–",
            t("train.col_seconds"): seconds(row.get("train_seconds")),
        } for row in automatic["rows"]]), width="stretch", hide_index=True, key="eval_auto_table")
        key, params = automatic["reason"]
        st.caption(t(key, **{**params, "chosen": candidate_names[params["chosen"]],
                             "next": candidate_names[params["next"]]}))
        if any(row.get("fitted_on") == "train" for row in automatic["rows"]):
            st.caption(t("eval.auto_fitted_on"))
    elif plain and plain.on == "test":
        outcome = verdict(test.accuracy, plain.accuracy)
        {"better": st.success, "same": st.info, "worse": st.warning}[outcome](
            t(f"eval.verdict_{outcome}", name=t(NAME_KEYS.get(plain.method, NAME_KEYS["lr"])),
              points=f"{abs(test.accuracy - plain.accuracy) * 100:.1f}",
              baseline=f"{plain.accuracy:.1%}", baseline_f1=f"{plain.macro_f1:.3f}",
              baseline_seconds=seconds(plain.train_seconds), seconds=seconds(info.train_seconds)),
            icon=":material/balance:")
        if outcome != "better":
            offer_tfidf()

with table_column:
    st.subheader(t("eval.per_class"))
    st.dataframe(pd.DataFrame([{
        t("eval.class"): row["label"],
        t("eval.precision"): round(row["precision"], 3),
        t("eval.recall"): round(row["recall"], 3),
        t("eval.f1"): round(row["f1"], 3),
        t("eval.support"): row["support"],
    } for row in test.per_class]), width="stretch", hide_index=True, key="eval_table")
    st.caption(t("eval.per_class_help"))
with matrix_column:
    event = st.plotly_chart(charts.confusion_figure(test.confusion, test.labels, t("eval.confusion"),
                                                    t("eval.predicted"), t("eval.actual")),
                            width="stretch", key="eval_confusion", on_select="rerun", selection_mode="points")
    st.caption(t("eval.confusion_help"))
    points = (event.selection or {}).get("points", []) if event else []
    if points:
        # The chart shows escaped class names (see core.evaluation.charts._text): back to the names themselves.
        cell = (html.unescape(str(points[0].get("y"))), html.unescape(str(points[0].get("x"))))
        if cell != st.session_state.get(state.EVAL_CELL_SEEN) and all(label in bundle.labels for label in cell):
            # A newly clicked cell sets the examples filters below (drawn later in this run).
            st.session_state[state.EVAL_CELL_SEEN] = cell
            st.session_state[state.EVAL_FILTER_TRUE], st.session_state[state.EVAL_FILTER_PREDICTED] = cell

wrong = mistakes(bundle, [], [], table=answers)

# -- what the curves and results say ------------------------------------------------------------
st.subheader(t("eval.diagnosis"))
signs = diagnose(bundle.metrics, bundle.settings, answers)


def apply_next(changes: dict) -> None:
    st.session_state[state.NEXT_RUN] = dict(changes)
    st.session_state[state.EVAL_APPLIED] = dict(changes)


for sign in signs:
    (st.warning if sign.severity == "warning" else st.info)(t(sign.key, **sign.params), icon=":material/stethoscope:")
    if sign.apply:
        st.button(t("eval.apply_next", changes=describe_changes(sign.apply)), key=f"eval_apply_{sign.kind}",
                  on_click=apply_next, args=(sign.apply,), icon=":material/tune:")
if not signs:
    st.success(t("eval.healthy"), icon=":material/check_circle:")
applied = st.session_state.pop(state.EVAL_APPLIED, None)
if applied:
    st.success(t("eval.applied_next", changes=describe_changes(applied)), icon=":material/check_circle:")
    st.page_link("pages/train.py", label=t("nav.train"), icon=":material/model_training:")

# -- the examples it got wrong (or those of a clicked cell) -------------------------------------
st.subheader(t("eval.mistakes"))
st.plotly_chart(charts.confidence_histogram(
    answers.loc[answers["correct"].astype(bool), "confidence"], answers.loc[~answers["correct"].astype(bool), "confidence"],
    t("eval.confidence_chart"), t("eval.col_confidence"), t("eval.test_rows"), t("eval.right"), t("eval.wrong")),
    width="stretch", key="eval_confidence_chart")
st.caption(t("eval.confidence_help"))
if wrong.empty and st.session_state.get(state.EVAL_CELL_SEEN) is None:
    st.success(t("eval.no_mistakes"), icon=":material/check_circle:")
else:
    st.caption(t("eval.mistakes_help", n=len(wrong), total=len(split)))
    choose_true, choose_predicted = st.columns(2)
    for key in (state.EVAL_FILTER_TRUE, state.EVAL_FILTER_PREDICTED):
        if st.session_state.get(key) not in [ALL] + bundle.labels:
            st.session_state[key] = ALL
    true_class = choose_true.selectbox(t("eval.filter_true"), [ALL] + bundle.labels, key=state.EVAL_FILTER_TRUE,
                                       format_func=lambda value: t("eval.any_class") if value == ALL else value,
                                       placeholder=t("common.choose_one"))
    predicted_class = choose_predicted.selectbox(t("eval.filter_predicted"), [ALL] + bundle.labels,
                                                 key=state.EVAL_FILTER_PREDICTED,
                                                 format_func=lambda value: t("eval.any_class") if value == ALL else value,
                                                 placeholder=t("common.choose_one"))
    if ALL not in (true_class, predicted_class):
        # One cell of the confusion matrix: its texts, right or wrong, surest first.
        shown = answers[(answers["label"] == true_class) & (answers["predicted"] == predicted_class)]
        shown = shown.drop(columns="correct").sort_values("confidence", ascending=False, kind="stable")
        st.caption(t("eval.cell_examples", actual=true_class, predicted=predicted_class, n=len(shown)))
    else:
        shown = wrong[((wrong["label"] == true_class) | (true_class == ALL))
                      & ((wrong["predicted"] == predicted_class) | (predicted_class == ALL))]
    shown = shown.reset_index(drop=True)
    st.dataframe(shown.rename(columns={"text": t("eval.col_text"), "label": t("eval.actual"),
                                       "predicted": t("eval.predicted"), "confidence": t("eval.col_confidence"),
                                       "p_true": t("eval.col_p_true")}),
                 width="stretch", hide_index=True, key="eval_mistakes_table", height=300)
    if len(shown):
        # Keyed by the filters: row numbers mean other texts once the filters change.
        pick = st.selectbox(t("eval.explain_pick"), shown.index.tolist()[:500],
                            key=f"eval_explain_pick_{true_class}_{predicted_class}",
                            format_func=lambda i: shown.loc[i, "text"][:120], placeholder=t("common.choose_one"))
        why = explain(bundle, shown.loc[pick, "text"], label=shown.loc[pick, "predicted"])
        st.caption(t("eval.explain_caption", predicted=why["label"], actual=shown.loc[pick, "label"]))
        st.html(highlight_html(why))
    st.download_button(t("eval.download_mistakes"), wrong.to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"{model_id}-mistakes.csv", mime="text/csv", key="eval_download_mistakes",
                       icon=":material/download:")

# -- the words behind each class ----------------------------------------------------------------
st.subheader(t("eval.class_words"))
words = state.memo("eval_class_words", version, lambda: class_words(bundle, split["text"].tolist()))
st.caption(t("eval.class_words_help", n=min(200, len(split))))
st.dataframe(pd.DataFrame({t("eval.class"): list(words),
                           t("eval.words"): [" · ".join(token for token, _ in rows) for rows in words.values()]}),
             width="stretch", hide_index=True, key="eval_class_words_table")

# -- side by side with another run --------------------------------------------------------------
st.subheader(t("eval.compare"))
models = st.session_state[state.MODELS]
others = [other for other in reversed(list(models)) if other != model_id]
# A TF-IDF model's baseline is the same model: comparing the two would show two equal rows.
choices = ([TFIDF] if plain and plain.on == "test" and bundle.kind != "tfidf" else []) + others
if choices and len(split):
    names = {TFIDF: t("eval.compare_tfidf", name=t(NAME_KEYS.get(plain.method, NAME_KEYS["lr"])) if plain else ""),
             **{other: models[other]["entry"].name for other in others}}
    if st.session_state.get(state.EVAL_COMPARE_WITH) not in choices:
        st.session_state[state.EVAL_COMPARE_WITH] = choices[0]
    other_id = st.selectbox(t("eval.compare_with"), choices, format_func=names.get, key=state.EVAL_COMPARE_WITH,
                            placeholder=t("common.choose_one"))
    st.caption(t("eval.compare_help"))
    second = plain if other_id == TFIDF else state.fresh_record(other_id)["bundle"]
    other_version = None if other_id == TFIDF else state.fresh_record(other_id)["version"]
    pair = state.memo("eval_compare", (version, other_id, other_version),
                      lambda: compare_runs(bundle, second, split["text"].tolist(), split["label"].tolist(),
                                           names=(entry.name, names[other_id])), keep=1)
    if other_id != TFIDF and models[other_id]["entry"].dataset != entry.dataset:
        st.warning(t("eval.compare_other_data", name=names[other_id], dataset=models[other_id]["entry"].dataset),
                   icon=":material/warning:")
    st.dataframe(pd.DataFrame([{t("eval.col_run"): run["name"], t("eval.accuracy"): f"{run['accuracy']:.1%}",
                                t("eval.macro_f1"): round(run["macro_f1"], 3),
                                t("eval.col_seconds"): run["train_seconds"]} for run in pair["runs"]]),
                 width="stretch", hide_index=True, key="eval_compare_runs")
    st.caption(t("eval.per_class_f1"))
    st.dataframe(pd.DataFrame(pair["per_class"]).rename(columns={"label": t("eval.class")}).round(3),
                 width="stretch", hide_index=True, key="eval_compare_per_class")
    if "disagreements" in pair:
        first_name, second_name = pair["runs"][0]["name"], pair["runs"][1]["name"]
        st.write(t("eval.compare_counts", first=first_name, second=second_name, both_right=pair["both_right"],
                   only_first=pair["only_first"], only_second=pair["only_second"], both_wrong=pair["both_wrong"]))
        with st.expander(t("eval.disagreements", n=len(pair["disagreements"]))):
            st.dataframe(pair["disagreements"].rename(columns={"text": t("eval.col_text"), "label": t("eval.actual")}),
                         width="stretch", hide_index=True, key="eval_disagreements")

else:
    st.caption(t("eval.compare_none"))

# -- labels that look wrong among the test texts ------------------------------------------------
st.subheader(t("eval.labels_title"))
st.caption(t("eval.labels_help"))
flagged = state.memo("eval_label_issues", version, lambda: [issue.to_dict() for issue in model_label_issues(
    bundle, split["text"].tolist(), split["label"].tolist())], keep=1)
if not flagged:
    st.success(t("eval.labels_none"), icon=":material/check_circle:")
else:
    st.dataframe(pd.DataFrame([{t("data.labels_text"): issue["text"], t("data.labels_given"): issue["given"],
                                t("data.labels_suggested"): issue["suggested"],
                                t("data.labels_sure"): f"{issue['confidence']:.0%}"} for issue in flagged]),
                 width="stretch", hide_index=True, key="eval_labels_table")
    data_here = st.session_state[state.DATASET] is not None and st.session_state[state.TABLE] is not None and (
        entry.trained_on(data_fingerprint(st.session_state[state.DATASET])))

    def review_on_data_page() -> None:
        """Hand the flagged test texts to the Data page's label check (as rows of the loaded file)."""
        choices = state.data_choices()
        rows = file_rows_of(st.session_state[state.TABLE].frame, list(choices.text_columns), choices.label_column,
                            [(issue["text"], issue["given"]) for issue in flagged], choices.corrections)
        issues = [{**issue, "row": row} for issue, row in zip(flagged, rows)
                  if row is not None and str(row) not in choices.corrections]
        st.session_state[state.LABEL_ISSUES] = {"key": state.label_check_key(choices), "issues": issues, "version": 0}
        st.session_state[state.EVAL_REVIEW] = True

    st.button(t("eval.labels_review", n=len(flagged)), key="eval_labels_review", on_click=review_on_data_page,
              disabled=not data_here, icon=":material/rule:",
              help=t("eval.labels_review_help") if data_here else t("eval.use_tfidf_no_data"))
    if st.session_state.pop(state.EVAL_REVIEW, False):
        st.switch_page("pages/data.py")

# -- will more data help? -----------------------------------------------------------------------
st.subheader(t("eval.curve_title"))
st.caption(t("eval.curve_help"))
curve_data = st.session_state[state.DATASET]
curve_ready = curve_data is not None and len(split) and entry.trained_on(data_fingerprint(curve_data))


def draw_curve(network: bool = False) -> dict:
    """Test accuracy on growing shares of this model's training rows: the quick model's, or
    (``network``) this network's settings trained five times."""
    train_texts, train_labels = training_rows(curve_data.texts, curve_data.labels, split["text"].tolist(),
                                              split["label"].tolist())
    if network:
        bar = st.progress(0.0, text=t("eval.curve_training", done=0, total=5))
        return learning_curve(train_texts, train_labels, split["text"].tolist(), split["label"].tolist(),
                              bundle.preprocess, network=(info.model, info.train),
                              progress=lambda done, total: bar.progress(done / total, text=t(
                                  "eval.curve_training", done=done, total=total)))
    return learning_curve(train_texts, train_labels, split["text"].tolist(), split["label"].tolist(),
                          replace(bundle.preprocess, max_length=None))


curve_buttons = st.columns([2, 3])
if curve_buttons[0].button(t("eval.curve_draw"), key="eval_curve", disabled=not curve_ready,
                           icon=":material/trending_up:", help=None if curve_ready else t("eval.use_tfidf_no_data")):
    st.session_state[state.EVAL_CURVE] = (model_id, draw_curve())
if info.model is not None and curve_buttons[1].button(
        t("eval.curve_network", minutes=max(1, round(5 * (info.train_seconds or 60) * 0.6 / 60))),
        key="eval_curve_network", disabled=not curve_ready, icon=":material/model_training:",
        help=t("eval.curve_network_help")):
    st.session_state[state.EVAL_CURVE] = (model_id, draw_curve(network=True))
drawn = st.session_state.get(state.EVAL_CURVE)
if drawn and drawn[0] == model_id:
    curve = drawn[1]
    st.plotly_chart(charts.learning_curve_figure(curve["points"], curve["rows"],
                                                 t("eval.curve_chart") if curve["model"] == "quick"
                                                 else t("eval.curve_chart_network"),
                                                 t("eval.curve_x"), t("eval.accuracy")),
                    width="stretch", key="eval_curve_chart")
    own = info.test.accuracy if info.test else None
    if own is not None and curve["points"]:
        st.caption(t("eval.curve_last_quick" if curve["model"] == "quick" else "eval.curve_last_network",
                     curve=f"{curve['points'][-1][1]:.1%}", model=f"{own:.1%}"))
    {"curve.rising": st.info, "curve.flat": st.warning}.get(curve["reading_key"], st.info)(
        t(curve["reading_key"], **curve["params"]), icon=":material/insights:")

# -- a new labelled file ------------------------------------------------------------------------
st.subheader(t("eval.new_file"))
upload = st.file_uploader(t("eval.new_file_upload"), key="eval_file", help=t("eval.new_file_help"),
                          type=UPLOAD_TYPES)
if upload is not None:
    try:
        table = load_table(upload.getvalue(), upload.name)
        trained_label = info.data.label_column
        label_column = trained_label if trained_label in table.frame.columns else guess_columns(table.frame)[1]
        dataset, _ = validate(table.frame, text_columns_for(bundle, table.frame), label_column)
        result = evaluate(bundle, dataset.texts, dataset.labels)
        first, second, third = st.columns(3)
        first.metric(t("eval.accuracy"), f"{result.accuracy:.1%}")
        second.metric(t("eval.macro_f1"), f"{result.macro_f1:.3f}")
        third.metric(t("eval.test_rows"), f"{result.n:,}")
        if result.unknown_labels:
            st.warning(t("eval.unknown_labels", labels=", ".join(result.unknown_labels)), icon=":material/warning:")
        st.plotly_chart(charts.confusion_figure(result.confusion, result.labels, t("eval.confusion"),
                                                t("eval.predicted"), t("eval.actual")),
                        width="stretch", key="eval_file_confusion")
        st.caption(t("eval.new_file_columns", text=dataset.text_column, label=label_column,
                     name=Path(upload.name).name))
    except UserError as error:
        show_error(error)

# -- the report ---------------------------------------------------------------------------------
st.divider()
report_language, report_answers = lang(), saved_answers
st.download_button(t("eval.report"), lambda: html_report(bundle, entry.name, entry.dataset, report_language,
                                                         report_answers, entry.created).encode("utf-8"),
                   file_name=f"{served_name(entry.name)}-report.html", mime="text/html", key="eval_report",
                   icon=":material/description:", help=t("eval.report_help"), type="primary")
