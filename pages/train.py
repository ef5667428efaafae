"""Train page: the LSTM's settings, a background run with live curves, and the models list."""

import pandas as pd
import streamlit as st

from core import charts
from core.errors import UserError
from core.jobs import get_job, start_training
from core.model import ModelConfig
from core.text import default_config
from core.train import TrainConfig
from ui import state
from ui.common import describe_changes, device_label, error_boundary, page_header, require_dataset, show_error, t

page_header("train")
dataset = require_dataset()
preprocess = st.session_state[state.PREPROCESS] or default_config(dataset.texts)
st.caption(t("train.data_summary", name=st.session_state[state.SOURCE_NAME], rows=len(dataset),
             classes=len(dataset.label_names), tokenizer=t(f"prep.tokenizer_{preprocess.tokenizer}")))
st.caption(t("train.device", device=device_label()))

job = get_job(st.session_state[state.JOB_ID])
running = job is not None and not job.snapshot().finished
# Each setting's widget key; the widgets take their values from session state only (no default
# argument), so a suggestion applied from the Evaluate page's diagnosis can fill them in.
WIDGETS = {"embedding_dim": "train_embedding_dim", "lstm_units": "train_lstm_units", "dropout_rate": "train_dropout",
           "epochs": "train_epochs", "batch_size": "train_batch_size", "early_stopping_patience": "train_early_stopping",
           "optimizer": "train_optimizer", "learning_rate": "train_learning_rate",
           "validation_share": "train_validation_share"}
defaults = ModelConfig().to_dict() | TrainConfig().to_dict()


def widget_value(setting: str, value):
    return value > 0 if setting == "early_stopping_patience" else value


for setting, key in WIDGETS.items():
    st.session_state.setdefault(key, widget_value(setting, defaults[setting]))
pending = st.session_state[state.NEXT_RUN]
if pending:
    for setting, value in pending.items():
        if setting in WIDGETS:
            st.session_state[WIDGETS[setting]] = widget_value(setting, value)
    st.info(t("train.applied", changes=describe_changes(pending)), icon=":material/tune:")
    st.session_state[state.NEXT_RUN] = None

with st.form("train_form", border=True):
    name = st.text_input(t("train.name"), f"{st.session_state[state.SOURCE_NAME]}-lstm-{len(st.session_state[state.MODELS]) + 1}",
                         key="train_name", max_chars=60)
    left, middle, right = st.columns(3)
    embedding_dim = left.number_input(t("train.embedding_dim"), 8, 512, step=8, key="train_embedding_dim",
                                      help=t("train.embedding_dim_help"))
    lstm_units = left.number_input(t("train.lstm_units"), 8, 512, step=8, key="train_lstm_units",
                                   help=t("train.lstm_units_help"))
    dropout_rate = left.slider(t("train.dropout"), 0.0, 0.7, step=0.05, key="train_dropout", help=t("train.dropout_help"))
    epochs = middle.number_input(t("train.epochs"), 1, 100, key="train_epochs", help=t("train.epochs_help"))
    batch_size = middle.select_slider(t("train.batch_size"), [8, 16, 32, 64, 128, 256], key="train_batch_size",
                                      help=t("train.batch_size_help"))
    early_stopping = middle.toggle(t("train.early_stopping"), key="train_early_stopping",
                                   help=t("train.early_stopping_help"))
    optimizer = right.radio(t("train.optimizer"), ["adam", "sgd"], horizontal=True, key="train_optimizer",
                            format_func=lambda value: t(f"train.optimizer_{value}"),
                            help=t("train.optimizer_help"))
    learning_rate = right.select_slider(t("train.learning_rate"), [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1],
                                        key="train_learning_rate", help=t("train.learning_rate_help"))
    validation_share = right.slider(t("train.validation_share"), 0.05, 0.3, step=0.05,
                                    key="train_validation_share", help=t("train.validation_share_help"))
    submitted = st.form_submit_button(t("train.start"), type="primary", disabled=running, width="stretch",
                                      key="train_start")

if submitted and not running:
    try:
        model_config = ModelConfig(embedding_dim=int(embedding_dim), lstm_units=int(lstm_units),
                                   dropout_rate=float(dropout_rate))
        train_config = TrainConfig(epochs=int(epochs), batch_size=int(batch_size), optimizer=optimizer,
                                   learning_rate=float(learning_rate), validation_share=float(validation_share),
                                   early_stopping_patience=2 if early_stopping else 0)
        if train_config.batch_size > len(dataset) * (1 - train_config.validation_share - train_config.test_share):
            raise UserError("err.batch_too_large", batch=train_config.batch_size, n=len(dataset))
    except UserError as error:
        show_error(error)
    else:
        try:
            job = start_training(dataset, preprocess, model_config, train_config, name.strip() or "model",
                                 st.session_state[state.SOURCE_NAME], state.store())
        except UserError as error:  # the workspace is full
            show_error(error)
        else:
            st.session_state[state.JOB_ID] = job.job_id
            running = True


def render_job() -> None:
    """The live view of this session's job; polled every second while it runs."""
    job = get_job(st.session_state[state.JOB_ID])
    if job is None:
        return
    snapshot = job.snapshot()
    st.subheader(t("train.progress_title", name=job.name))
    if snapshot.state == "queued":
        st.info(t("train.queued"), icon=":material/hourglass_top:")
    elif snapshot.state == "running":
        label = t("train.progress", epoch=max(1, snapshot.epoch), epochs=snapshot.epochs or "…",
                  step=snapshot.step, steps=snapshot.steps or "…", seconds=int(snapshot.elapsed))
        st.progress(snapshot.fraction, text=label)
        st.button(t("train.stop"), key="train_stop", on_click=job.stop, help=t("train.stop_help"))
    elif snapshot.state == "failed":
        st.error(t(snapshot.error_key, **snapshot.error_params) if snapshot.error_key
                 else t("train.failed", error=snapshot.error), icon=":material/warning:")
    else:
        metrics = job.result[1].metrics if job.result else {}
        key = "train.stopped" if snapshot.state == "stopped" else "train.done"
        st.success(t(key, seconds=round(snapshot.elapsed, 1), epochs=metrics.get("epochs", 0),
                     accuracy=f"{metrics.get('val_accuracy', 0):.1%}"), icon=":material/check_circle:")
        links = st.columns(2)
        links[0].page_link("pages/evaluate.py", label=t("train.to_evaluate"), icon=":material/analytics:")
        links[1].page_link("pages/predict.py", label=t("train.to_predict"), icon=":material/bolt:")
    if snapshot.history:
        loss, accuracy = st.columns(2)
        loss.plotly_chart(charts.history_figure(snapshot.history, "loss", t("train.loss_chart"), t("train.train_curve"),
                                                t("train.validation_curve"), t("train.epoch")),
                          width="stretch", key="train_loss_chart")
        accuracy.plotly_chart(charts.history_figure(snapshot.history, "accuracy", t("train.accuracy_chart"),
                                                    t("train.train_curve"), t("train.validation_curve"),
                                                    t("train.epoch")),
                              width="stretch", key="train_accuracy_chart")
    if snapshot.finished and job.job_id not in st.session_state[state.COLLECTED_JOBS]:
        state.collect_finished_job()
        st.rerun()


st.fragment(lambda: error_boundary(render_job), run_every=1.0 if running else None)()

models = st.session_state[state.MODELS]
if models:
    st.subheader(t("train.models"))
    rows = []
    for record in reversed(list(models.values())):
        bundle, entry = record["bundle"], record["entry"]
        settings = bundle.settings
        rows.append({
            t("train.col_name"): entry.name,
            t("train.col_data"): entry.dataset,
            t("train.col_created"): entry.created.replace("T", " "),
            t("train.col_tokenizer"): t(f"prep.tokenizer_{bundle.preprocess.tokenizer}"),
            t("train.col_settings"): t("train.settings_summary", embedding=settings["model"]["embedding_dim"],
                                       units=settings["model"]["lstm_units"], optimizer=settings["train"]["optimizer"],
                                       lr=settings["train"]["learning_rate"], batch=settings["train"]["batch_size"]),
            t("train.col_epochs"): bundle.metrics.get("epochs"),
            t("train.col_val_accuracy"): f"{bundle.metrics.get('val_accuracy', 0):.1%}",
            t("train.col_seconds"): bundle.metrics.get("train_seconds"),
        })
    st.dataframe(pd.DataFrame(rows), width="stretch", hide_index=True, key="train_models_table")
