"""Train page: presets chosen from the data, every setting in an Advanced panel, a background run
with live curves, and the models list."""

import json

import pandas as pd
import streamlit as st

from core import charts
from core.config import BATCH_SIZES, L2_STEPS, LEARNING_RATES, steps_with
from core.errors import UserError
from core.jobs import get_job, queue_position, speed, start_training
from core.model import ModelConfig
from core.text import PreprocessConfig, default_config
from core.train import TrainConfig, available_memory, check_memory, estimate_memory
from ui import state
from ui.common import (describe_changes, device, device_label, error_boundary, page_header, settings_summary,
                       show_error, t)

state.require_app()  # opened by its address before app.py ran (login, workspace): go through app.py

def _duration(seconds) -> str:
    seconds = int(seconds or 0)
    return t("train.minutes", minutes=seconds // 60, seconds=seconds % 60) if seconds >= 60 else t("train.seconds", seconds=seconds)


def render_job() -> None:
    """The live view of this session's job; polled every second while it runs."""
    job = get_job(st.session_state[state.JOB_ID])
    if job is None:
        return
    snapshot = job.snapshot()
    st.subheader(t("train.progress_title", name=job.name))
    if snapshot.state == "queued":
        st.info(t("train.queued", ahead=queue_position(job)), icon=":material/hourglass_top:")
        st.button(t("train.stop"), key="train_stop", on_click=job.stop, help=t("train.stop_help"))
    elif snapshot.state == "running":
        label = t("train.progress", epoch=max(1, snapshot.epoch), epochs=snapshot.epochs or "…",
                  step=snapshot.step, steps=snapshot.steps or "…", seconds=int(snapshot.elapsed))
        figures = speed(snapshot)
        if figures["examples_per_s"]:
            label += " · " + t("train.speed", rate=f"{figures['examples_per_s']:,.0f}",
                               left=_duration(figures["seconds_left"]))
        st.progress(snapshot.fraction, text=label)
        st.button(t("train.stop"), key="train_stop", on_click=job.stop, help=t("train.stop_help"))
        memory = next((row["gpu_memory_mb"] for row in reversed(snapshot.history) if "gpu_memory_mb" in row), None)
        if memory is not None:
            st.caption(t("train.gpu_memory", mb=f"{memory:,.0f}"))
    elif snapshot.state == "failed":
        st.error(t(snapshot.error_key, **snapshot.error_params) if snapshot.error_key
                 else t("train.failed", error=snapshot.error), icon=":material/warning:")
    else:
        metrics = job.metrics
        key = "train.stopped" if snapshot.state == "stopped" else "train.done"
        st.success(t(key, seconds=round(snapshot.elapsed, 1), epochs=metrics.get("epochs", 0),
                     accuracy=f"{metrics.get('val_accuracy', 0):.1%}"), icon=":material/check_circle:")
        links = st.columns(2)
        links[0].page_link("pages/evaluate.py", label=t("train.to_evaluate"), icon=":material/analytics:")
        links[1].page_link("pages/predict.py", label=t("train.to_predict"), icon=":material/bolt:")
    if snapshot.history:
        loss, accuracy = st.columns(2)
        loss.plotly_chart(charts.history_figure(snapshot.history, "loss", t("train.loss_chart"), t("train.train_curve"),
                                                t("train.validation_curve"), t("train.epoch"),
                                                t("train.best_epoch")),
                          width="stretch", key="train_loss_chart")
        accuracy.plotly_chart(charts.history_figure(snapshot.history, "accuracy", t("train.accuracy_chart"),
                                                    t("train.train_curve"), t("train.validation_curve"),
                                                    t("train.epoch"), t("train.best_epoch")),
                              width="stretch", key="train_accuracy_chart")
    if snapshot.finished and job.job_id not in st.session_state[state.COLLECTED_JOBS]:
        state.collect_finished_job()
        st.rerun()


def models_table() -> None:
    """This session's models (the Models page manages them)."""
    models = st.session_state[state.MODELS]
    if models:
        st.subheader(t("train.models"))
        rows = []
        for record in reversed(list(models.values())):
            bundle, entry = record["bundle"], record["entry"]
            rows.append({
                t("train.col_name"): entry.name,
                t("train.col_data"): entry.dataset,
                t("train.col_created"): entry.created.replace("T", " "),
                t("train.col_tokenizer"): t(f"prep.tokenizer_{bundle.preprocess.tokenizer}"),
                t("train.col_settings"): settings_summary(bundle),
                t("train.col_epochs"): bundle.metrics.get("epochs"),
                t("train.col_val_accuracy"): f"{bundle.metrics.get('val_accuracy', 0):.1%}",
                t("train.col_seconds"): bundle.metrics.get("train_seconds"),
            })
        st.dataframe(pd.DataFrame(rows), width="stretch", hide_index=True, key="train_models_table")


def interrupted_notices() -> None:
    """Runs of this workspace that ended with the server (see core.jobs.recover), until dismissed."""
    if st.session_state[state.STORE_PROBLEM] is not None:
        return
    session_store = state.store()
    for notice in session_store.interrupted():
        kept = notice["model_id"]
        models = st.session_state[state.MODELS]
        if kept and kept not in models:  # recovered after this session loaded its models
            try:
                entry = session_store.entry(kept)
            except UserError:  # deleted since: say nothing was kept
                kept = None
            else:
                models[kept] = {"entry": entry, "bundle": state.shared_bundle(entry.path)}
        message = t("train.interrupted", name=notice["name"], epoch=notice["epoch"], epochs=notice["epochs"] or "?")
        if kept:
            kept_name = models[kept]["entry"].name
            message += " " + (t("train.interrupted_kept_epoch", epoch=notice["kept_epoch"], model=kept_name)
                              if notice["kept_epoch"] else t("train.interrupted_kept", model=kept_name))
        else:
            message += " " + t("train.interrupted_lost")
        with st.container(border=True):
            st.warning(message, icon=":material/power_off:")
            st.button(t("train.interrupted_dismiss"), key=f"train_dismiss_{notice['job_id']}",
                      on_click=session_store.dismiss_interrupted, args=(notice["job_id"],))


def show_runs(running: bool) -> None:
    """The live view of this session's training run, then its models."""
    st.fragment(lambda: error_boundary(render_job), run_every=1.0 if running else None)()
    models_table()


page_header("train")
interrupted_notices()
job = get_job(st.session_state[state.JOB_ID])
running = job is not None and not job.snapshot().finished
dataset = st.session_state[state.DATASET]
if dataset is None:  # no data in this session (e.g. a reloaded tab): still show a running job
    st.info(t("guard.no_data"), icon=":material/info:")
    st.page_link("pages/data.py", label=t("nav.data"), icon=":material/table_view:")
    show_runs(running)
    st.stop()
preprocess = st.session_state[state.PREPROCESS] or default_config(dataset.texts)
st.caption(t("train.data_summary", name=st.session_state[state.SOURCE_NAME], rows=len(dataset),
             classes=len(dataset.label_names), tokenizer=t(f"prep.tokenizer_{preprocess.tokenizer}")))
st.caption(t("train.device", device=device_label()))
if device()["kind"] == "GPU":
    st.caption(t("train.gpu_notes"))



@st.cache_data(show_spinner=False, max_entries=8)
def presets_for(signature, texts, labels, preprocess_json):
    """The three presets of this data (a few seconds the first time: the machine is measured)."""
    from core.presets import choose, profile

    config = PreprocessConfig.from_dict(json.loads(preprocess_json))
    return {name: {"model": preset.model.to_dict(), "train": preset.train.to_dict(), "max_length": preset.max_length,
                   "seconds": preset.seconds_per_epoch, "max_seconds": preset.max_seconds}
            for name, preset in choose(profile(texts, labels, config)).items()}


with st.spinner(t("train.measuring")):
    presets = presets_for(st.session_state[state.DATASET_SIGNATURE], dataset.texts, dataset.labels,
                          json.dumps(preprocess.to_dict(), sort_keys=True))

# Each setting's widget key; the widgets take their values from session state only (no default
# argument), so a preset or a suggestion from the Evaluate page's diagnosis can fill them in.
WIDGETS = {"embedding_dim": "train_embedding_dim", "lstm_units": "train_lstm_units", "dropout_rate": "train_dropout",
           "rnn": "train_rnn", "layers": "train_layers", "bidirectional": "train_bidirectional",
           "token_pairs": "train_token_pairs", "conv_filters": "train_conv_filters", "dense_units": "train_dense_units", "l2": "train_l2",
           "epochs": "train_epochs", "batch_size": "train_batch_size", "early_stopping_patience": "train_patience",
           "restore_best": "train_restore_best", "checkpoint": "train_checkpoint", "optimizer": "train_optimizer", "learning_rate": "train_learning_rate",
           "lr_schedule": "train_lr_schedule", "class_weight": "train_class_weight",
           "validation_share": "train_validation_share", "seed": "train_seed", "max_length": "train_max_length"}


def widget_value(setting: str, value):
    if setting in ("lr_schedule",):
        return value == "plateau"
    if setting == "class_weight":
        return value == "balanced"
    return value


def fill(settings: dict) -> None:
    """Put ``settings`` (config field → value) into the widgets."""
    for setting, value in settings.items():
        if setting == "early_stopping_patience":
            st.session_state["train_early_stopping"] = value > 0
            value = max(1, value)
        if setting in WIDGETS:
            st.session_state[WIDGETS[setting]] = widget_value(setting, value)


def preset_settings(name: str) -> dict:
    preset = presets[name]
    return {**preset["model"], **preset["train"], "max_length": preprocess.max_length or preset["max_length"]}


def choose_preset() -> None:
    fill(preset_settings(st.session_state["train_preset"]))


if st.session_state.get("train_presets_for") != st.session_state[state.DATASET_SIGNATURE]:
    # New data: its balanced preset fills every setting.
    st.session_state["train_presets_for"] = st.session_state[state.DATASET_SIGNATURE]
    st.session_state["train_preset"] = "balanced"
    fill(preset_settings("balanced"))
st.session_state.setdefault("train_preset", "balanced")  # after a page change Streamlit forgets widget values
for setting, key in WIDGETS.items():
    st.session_state.setdefault(key, widget_value(setting, preset_settings(st.session_state.get("train_preset", "balanced"))[setting]))
st.session_state.setdefault("train_early_stopping", True)
pending = st.session_state[state.NEXT_RUN]
if pending:
    fill(pending)
    st.info(t("train.applied", changes=describe_changes(pending)), icon=":material/tune:")
    st.session_state[state.NEXT_RUN] = None

st.session_state.setdefault("train_kind", "keras")
kind = st.radio(t("train.kind"), ["keras", "tfidf"], horizontal=True, key="train_kind",
                format_func=lambda value: t(f"train.kind_{value}"), help=t("train.kind_help"))
chosen = presets[st.session_state.get("train_preset") or "balanced"]
if kind == "keras":
    st.segmented_control(t("train.preset"), list(presets), key="train_preset", on_change=choose_preset,
                         format_func=lambda name: t(f"train.preset_{name}"), help=t("train.preset_help"))
    model_choice = chosen["model"]
    rnn = model_choice["rnn"]
    rnn_name = t(f"train.rnn_{rnn}")
    st.caption(t("train.preset_summary", units=model_choice["lstm_units"],
                 rnn=t("train.bidirectional_short", rnn=rnn_name) if model_choice["bidirectional"] else rnn_name,
                 epochs=chosen["train"]["epochs"], batch=chosen["train"]["batch_size"],
                 length=preprocess.max_length or chosen["max_length"], seconds=round(chosen["seconds"]),
                 minutes=max(1, round(chosen["max_seconds"] / 60))))
    if presets["balanced"]["train"]["class_weight"] == "balanced":
        st.caption(t("train.class_weight_suggested"))
else:
    st.caption(t("train.tfidf_summary"))


def advanced_settings() -> None:
    """Every setting of the network, in three columns."""
    left, middle, right = st.columns(3)
    left.radio(t("train.rnn"), ["lstm", "gru"], horizontal=True, key="train_rnn", help=t("train.rnn_help"),
               format_func=lambda value: t(f"train.rnn_{value}"))
    left.number_input(t("train.embedding_dim"), 8, 512, step=8, key="train_embedding_dim",
                      help=t("train.embedding_dim_help"))
    left.number_input(t("train.lstm_units"), 8, 512, step=8, key="train_lstm_units", help=t("train.lstm_units_help"))
    left.slider(t("train.layers"), 1, 3, key="train_layers", help=t("train.layers_help"))
    left.toggle(t("train.bidirectional"), key="train_bidirectional", help=t("train.bidirectional_help"))
    left.toggle(t("train.token_pairs"), key="train_token_pairs", help=t("train.token_pairs_help"))
    left.number_input(t("train.conv_filters"), 0, 512, step=16, key="train_conv_filters",
                      help=t("train.conv_filters_help"))
    left.number_input(t("train.dense_units"), 0, 512, step=16, key="train_dense_units", help=t("train.dense_units_help"))
    middle.slider(t("train.dropout"), 0.0, 0.7, step=0.05, key="train_dropout", help=t("train.dropout_help"))
    middle.select_slider(t("train.l2"), steps_with(L2_STEPS, st.session_state.get("train_l2")), key="train_l2",
                         help=t("train.l2_help"), format_func=lambda value: t("app.off") if value == 0 else f"{value:g}")
    middle.number_input(t("train.epochs"), 1, 100, key="train_epochs", help=t("train.epochs_help"))
    middle.select_slider(t("train.batch_size"), steps_with(BATCH_SIZES, st.session_state.get("train_batch_size")),
                         key="train_batch_size", help=t("train.batch_size_help"))
    middle.toggle(t("train.early_stopping"), key="train_early_stopping", help=t("train.early_stopping_help"))
    middle.number_input(t("train.patience"), 1, 20, key="train_patience", help=t("train.patience_help"))
    middle.toggle(t("train.restore_best"), key="train_restore_best", help=t("train.restore_best_help"))
    middle.toggle(t("train.checkpoint"), key="train_checkpoint", help=t("train.checkpoint_help"))
    right.radio(t("train.optimizer"), ["adam", "sgd", "rmsprop"], horizontal=True, key="train_optimizer",
                format_func=lambda value: t(f"train.optimizer_{value}"), help=t("train.optimizer_help"))
    right.select_slider(t("train.learning_rate"), steps_with(LEARNING_RATES, st.session_state.get("train_learning_rate")),
                        key="train_learning_rate",
                        help=t("train.learning_rate_help"))
    right.toggle(t("train.lr_schedule"), key="train_lr_schedule", help=t("train.lr_schedule_help"))
    right.toggle(t("train.class_weight"), key="train_class_weight", help=t("train.class_weight_help"))
    right.slider(t("train.validation_share"), 0.05, 0.3, step=0.05, key="train_validation_share",
                 help=t("train.validation_share_help"))
    right.number_input(t("train.max_length"), 4, 2000, key="train_max_length", help=t("train.max_length_help"))
    right.number_input(t("train.seed"), 0, 2**31 - 1, key="train_seed", help=t("train.seed_help"))


with st.form("train_form", border=True):
    short = "lstm" if kind == "keras" else "tfidf"
    suggested = f"{st.session_state[state.SOURCE_NAME]}-{short}-{len(st.session_state[state.MODELS]) + 1}"
    name = st.text_input(t("train.name"), suggested, key="train_name" if kind == "keras" else "train_name_tfidf",
                         max_chars=60)
    if kind == "keras":
        with st.expander(t("train.advanced"), icon=":material/tune:"):
            advanced_settings()
    else:
        left, right = st.columns(2)
        left.slider(t("train.validation_share"), 0.05, 0.3, step=0.05, key="train_validation_share",
                    help=t("train.validation_share_help"))
        right.number_input(t("train.seed"), 0, 2**31 - 1, key="train_seed", help=t("train.seed_help"))

    if kind == "keras":
        planned = {setting: st.session_state.get(key) for setting, key in WIDGETS.items()}
        need = estimate_memory(preprocess.max_vocab, len(dataset.label_names),
                               ModelConfig.from_dict({**chosen["model"], **{field: planned[field] for field in
                                                                             ModelConfig.__dataclass_fields__
                                                                             if planned.get(field) is not None}}),
                               TrainConfig(batch_size=int(planned["batch_size"])), int(planned["max_length"]),
                               len(dataset))["total"]
        free = available_memory()
        st.caption(t("train.memory", need=f"{need / 2**30:.1f}", free=f"{free / 2**30:.1f}" if free else "?"))
    blocked = st.session_state[state.STORE_PROBLEM] is not None
    submitted = st.form_submit_button(t("train.start"), type="primary", disabled=running or blocked,
                                      width="stretch", key="train_start")

if submitted and not running:
    fallback = preset_settings(st.session_state.get("train_preset") or "balanced")
    values = {setting: st.session_state.get(key, widget_value(setting, fallback[setting]))
              for setting, key in WIDGETS.items()}
    try:
        model_config = ModelConfig.from_dict({**chosen["model"], **{field: values[field] for field in
                                                                     ModelConfig.__dataclass_fields__ if field in values}})
        train_config = TrainConfig(
            epochs=int(values["epochs"]), batch_size=int(values["batch_size"]), optimizer=values["optimizer"],
            learning_rate=float(values["learning_rate"]), validation_share=float(values["validation_share"]),
            early_stopping_patience=int(values["early_stopping_patience"])
            if st.session_state.get("train_early_stopping", True) else 0,
            restore_best=bool(values["restore_best"]), lr_schedule="plateau" if values["lr_schedule"] else "none",
            class_weight="balanced" if values["class_weight"] else "none", seed=int(values["seed"]),
            checkpoint=bool(values["checkpoint"]))
        run_preprocess = PreprocessConfig.from_dict({**preprocess.to_dict(), "max_length": int(values["max_length"])})
        if train_config.batch_size > len(dataset) * (1 - train_config.validation_share - train_config.test_share):
            raise UserError("err.batch_too_large", batch=train_config.batch_size, n=len(dataset))
        if kind == "keras":  # refuse settings that would not fit in memory before the run starts
            check_memory(estimate_memory(run_preprocess.max_vocab, len(dataset.label_names), model_config,
                                         train_config, run_preprocess.max_length, len(dataset)))
    except UserError as error:
        show_error(error)
    else:
        try:
            job = start_training(dataset, run_preprocess, model_config, train_config, name.strip() or "model",
                                 st.session_state[state.SOURCE_NAME], state.store(), kind=kind)
        except UserError as error:  # the workspace is full or not writable, or a run is going
            show_error(error)
        else:
            st.session_state[state.JOB_ID] = job.job_id
            running = True



show_runs(running)
