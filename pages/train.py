"""Train page: presets chosen from the data, every setting in an Advanced panel, a background run
with live curves, and the models list."""

import json
from dataclasses import replace

import pandas as pd
import streamlit as st

from core.base.config import steps_with
from core.base.errors import UserError
from core.base.i18n import seconds
from core.evaluation import charts
from core.models.settings import DEFAULT_PRESET, page_settings, plan_run, run_values, setting
from core.models.vectors import server_vectors
from core.text import PreprocessConfig, default_config
from core.training import cluster
from core.training.jobs import JobState, get_job, phase, queue_position, speed, start_training
from core.training.memory import available_memory, estimate_memory
from core.training.outcome import CANDIDATE_KEYS, outcome
from core.training.presets import choose, profile
from ui import state
from ui.common import (
    describe_changes,
    device,
    device_label,
    error_boundary,
    lang,
    page_header,
    settings_summary,
    show_error,
    t,
)


def _duration(value) -> str:
    value = int(value or 0)
    return t("train.minutes", minutes=value // 60, seconds=value % 60) if value >= 60 else t("train.seconds", seconds=value)


@st.cache_data(ttl=60, show_spinner=False)
def cluster_figures() -> dict:
    """The Ray cluster's address, nodes, CPUs and GPUs (connects once; read again each minute)."""
    try:
        return cluster.describe()
    except UserError as error:
        return {"address": cluster.address(), "nodes": "?", "cpus": "?", "gpus": "?", "error": error.key,
                "detail": error.params.get("detail", "")}


TITLES = {JobState.QUEUED: "train.title_queued", JobState.RUNNING: "train.progress_title",
          JobState.DONE: "train.title_done", JobState.STOPPED: "train.title_stopped", JobState.FAILED: "train.title_failed"}


def render_job() -> None:
    """The live view of this session's job; polled every second while it runs."""
    job = get_job(st.session_state[state.JOB_ID])
    if job is None:
        return
    snapshot = job.snapshot()
    st.subheader(t(TITLES[snapshot.state], name=job.name))
    if snapshot.state == JobState.QUEUED:
        if job.runner == "ray":
            st.info(t("train.queued_ray", resource="GPU" if cluster_figures().get("gpus") else "CPU"),
                    icon=":material/hourglass_top:")
        else:
            st.info(t("train.queued", ahead=queue_position(job)), icon=":material/hourglass_top:")
        st.button(t("train.stop"), key="train_stop", on_click=job.stop, help=t("train.stop_help"))
    elif snapshot.state == JobState.RUNNING and snapshot.vectors and not snapshot.steps:
        vectors = snapshot.vectors
        if vectors.get("total"):
            label = t("train.vectors_progress", done=vectors["done"], total=vectors["total"],
                      left=_duration(vectors.get("seconds_left") or 0), seconds=int(snapshot.elapsed))
        else:
            label = t("train.vectors_reading", n=f"{vectors.get('texts', 0):,}", seconds=int(snapshot.elapsed))
        st.progress(vectors["done"] / vectors["total"] if vectors.get("total") else 0.0, text=label)
        st.button(t("train.stop"), key="train_stop", on_click=job.stop, help=t("train.stop_help"))
    elif snapshot.state == JobState.RUNNING:
        figures, doing = speed(snapshot), phase(snapshot)
        if doing != "training":   # starting (TensorFlow loads), or finishing (TF-IDF, blend, tests)
            label = t(f"train.{doing}", seconds=int(snapshot.elapsed))
        else:
            label = t("train.progress", epoch=max(1, snapshot.epoch), epochs=snapshot.epochs or "…",
                      step=snapshot.step, steps=snapshot.steps, seconds=int(snapshot.elapsed))
            if figures["examples_per_s"]:
                label += " · " + t("train.speed", rate=f"{figures['examples_per_s']:,.0f}",
                                   left=_duration(figures["seconds_left"]))
        st.progress(snapshot.fraction, text=label)
        st.button(t("train.stop"), key="train_stop", on_click=job.stop, help=t("train.stop_help"))
        memory = next((row["gpu_memory_mb"] for row in reversed(snapshot.history) if "gpu_memory_mb" in row), None)
        if memory is not None:
            st.caption(t("train.gpu_memory", mb=f"{memory:,.0f}"))
    if snapshot.state == JobState.RUNNING and snapshot.ready:   # Automatic's early model: usable while the network trains
        ready = snapshot.ready
        st.success(t("train.ready", name=t(CANDIDATE_KEYS[ready["candidate"]]), seconds=seconds(ready["seconds"]),
                     accuracy=f"{100 * ready['val_accuracy']:.1f} %"), icon=":material/bolt:")
        st.page_link("pages/predict.py", label=t("train.ready_use"), icon=":material/bolt:")
        state.collect_ready_model(ready)
    if snapshot.state == JobState.FAILED:
        st.error(t(snapshot.error_key, **snapshot.error_params) if snapshot.error_key
                 else t("train.failed", error=snapshot.error), icon=":material/warning:")
    elif snapshot.finished:
        said = outcome(job.settings, job.metrics, snapshot.elapsed, snapshot.state == JobState.STOPPED, lang(),
                       snapshot.ready.get("seconds"))
        st.success("  \n".join(said.lines), icon=":material/check_circle:")
        links = st.columns(2)
        links[0].page_link("pages/evaluate.py", label=t("train.to_evaluate"), icon=":material/analytics:")
        links[1].page_link("pages/predict.py", label=t("train.to_predict"), icon=":material/bolt:")
    if snapshot.placement:   # a run on Ray: where it trains (or trained)
        st.caption(t("train.where" if snapshot.state == JobState.RUNNING else "train.where_done",
                     **{key: snapshot.placement.get(key, "?") for key in ("node", "host", "device")}))
    curves = outcome(job.settings, job.metrics, snapshot.elapsed).curves if snapshot.finished else "kept"
    if snapshot.history and curves != "none":
        if curves == "candidate":
            st.caption(t("train.curves_candidate"))
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
            info = bundle.info
            rows.append({     # the figures first, the long settings summary last
                t("train.col_name"): entry.name,
                t("train.col_val_accuracy"): f"{info.val_accuracy:.1%}",
                t("train.col_epochs"): "–" if bundle.kind == "tfidf" else str(info.epochs),   # TF-IDF has none
                t("train.col_seconds"): seconds(info.train_seconds),
                t("train.col_data"): entry.dataset,
                t("train.col_created"): entry.created.replace("T", " "),
                t("train.col_tokenizer"): t(f"prep.tokenizer_{bundle.preprocess.tokenizer}"),
                t("train.col_settings"): settings_summary(bundle),
            })
        st.dataframe(pd.DataFrame(rows), width="stretch", hide_index=True, key="train_models_table")


def interrupted_notices() -> None:
    """Runs of this workspace that ended with the server (see core.training.jobs.recover), until dismissed."""
    if st.session_state[state.STORE_PROBLEM] is not None:
        return
    session_store = state.store()
    try:
        notices = session_store.interrupted()
    except UserError as problem:   # the index cannot be read (a full disk): say so once, train nothing
        show_error(problem)
        return
    for notice in notices:
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


# After Start the live view is below a long form: the page scrolls to it (once per run started),
# as soon as Streamlit has drawn its container.
SCROLL_SCRIPT = """<script>
const doc = window.parent.document;
let tries = 0;
const timer = setInterval(() => {
  const live = doc.querySelector(".st-key-train_live");
  if (live || ++tries > 50) { clearInterval(timer); if (live) live.scrollIntoView({behavior: "smooth", block: "start"}); }
}, 100);
</script>"""


def show_runs(running: bool) -> None:
    """The live view of this session's training run (scrolled to just after Start), then its models."""
    with st.container(key="train_live"):
        st.fragment(lambda: error_boundary(render_job), run_every=1.0 if running else None)()
    if st.session_state.pop(state.TRAIN_SCROLL, False):
        st.iframe(SCROLL_SCRIPT, height=1)
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
unlabelled_texts = state.unlabelled_for_training()   # once per page run: the vectors choice, check and run use it
st.caption(t("train.data_summary", name=st.session_state[state.SOURCE_NAME], rows=len(dataset),
             classes=len(dataset.label_names), tokenizer=t(f"prep.tokenizer_{preprocess.tokenizer}")))
if cluster.enabled():
    figures = cluster_figures()
    st.caption(t("train.device_ray", **figures))
    if figures.get("error"):
        st.warning(t(figures["error"], address=figures["address"], detail=figures.get("detail", "")),
                   icon=":material/warning:")
else:
    st.caption(t("train.device", device=device_label()))
if device()["kind"] == "GPU" and not cluster.enabled():
    st.caption(t("train.gpu_notes"))



@st.cache_data(show_spinner=False, max_entries=8)
def presets_for(signature, texts, labels, preprocess_json):
    """The three presets of this data (a few seconds the first time: the machine is measured)."""
    config = PreprocessConfig.from_dict(json.loads(preprocess_json))
    return {name: {"values": preset.values, "seconds": preset.seconds_per_epoch, "max_seconds": preset.max_seconds}
            for name, preset in choose(profile(texts, labels, config)).items()}


with st.spinner(t("train.measuring")):
    presets = presets_for(st.session_state[state.DATASET_SIGNATURE], dataset.texts, dataset.labels,
                          json.dumps(preprocess.to_dict(), sort_keys=True))


def switch_key(knob) -> str:
    return f"train_{knob.switch}"


def fill(values: dict) -> None:
    """Put settings (name → value, see core.models.settings) into the widgets, which take their values
    from session state only (no default argument), so a preset or a suggestion of the Evaluate
    page's diagnosis can fill them in."""
    for name, value in values.items():
        knob = setting(name)
        if not knob.widget:
            continue
        if knob.switch:
            st.session_state[switch_key(knob)] = value > 0
        st.session_state[knob.key] = knob.to_widget(value)


def preset_values(name: str) -> dict:
    """The preset's settings; a padding length chosen on the Preprocess page wins."""
    values = dict(presets[name]["values"])
    if preprocess.max_length:
        values["max_length"] = preprocess.max_length
    return values


def choose_preset() -> None:
    name = st.session_state[state.TRAIN_PRESET]
    if name is None:
        # The control is required, so a click cannot clear it in the browser; a cleared value that
        # still arrives (CI saw one) brings back the preset held before instead of failing.
        st.session_state[state.TRAIN_PRESET] = state.held(state.TRAIN_PRESET) or DEFAULT_PRESET
        return
    fill(preset_values(name))


# Streamlit forgets these when another page runs: what the user set comes back (for the same data).
state.hold([state.TRAIN_KIND, state.TRAIN_PRESET, *(knob.key for knob in page_settings()),
            *(switch_key(knob) for knob in page_settings() if knob.switch)])
if st.session_state.get(state.TRAIN_PRESETS_FOR) != st.session_state[state.DATASET_SIGNATURE]:
    # New data: its balanced preset fills every setting.
    st.session_state[state.TRAIN_PRESETS_FOR] = st.session_state[state.DATASET_SIGNATURE]
    st.session_state[state.TRAIN_PRESET] = DEFAULT_PRESET
    fill(preset_values(DEFAULT_PRESET))
st.session_state.setdefault(state.TRAIN_PRESET, DEFAULT_PRESET)
for knob in page_settings():
    value = preset_values(st.session_state.get(state.TRAIN_PRESET, DEFAULT_PRESET))[knob.name]
    st.session_state.setdefault(knob.key, knob.to_widget(value))
    if knob.switch:
        st.session_state.setdefault(switch_key(knob), value > 0)
if running and st.session_state[state.JOB_SHOWN] != job.job_id and job.request:
    # A tab that finds a run going (a reload, another tab) shows the run's own settings, not the
    # page's defaults: what is above the live view is what trains.
    st.session_state[state.JOB_SHOWN] = job.job_id
    fill(run_values(job.request))
    st.session_state[state.TRAIN_KIND] = job.request["kind"]
pending = st.session_state[state.NEXT_RUN]
if pending:
    fill(pending)
    st.info(t("train.applied", changes=describe_changes(pending)), icon=":material/tune:")
    st.session_state[state.NEXT_RUN] = None

# Automatic is the default: never worse than the better of the network and TF-IDF by more than
# 0.3 points on the seven shared sets, and up to 0.9 points better (BENCHMARKS.md, issue 18).
st.session_state.setdefault(state.TRAIN_KIND, "auto")
kind = st.radio(t("train.kind"), ["auto", "keras", "tfidf"], horizontal=True, key=state.TRAIN_KIND,
                format_func=lambda value: t(f"train.kind_{value}"), help=t("train.kind_help"))
preset_name = st.session_state.get(state.TRAIN_PRESET) or DEFAULT_PRESET
chosen = presets[preset_name]
if kind == "auto":
    st.caption(t("train.auto_summary"))
if kind in ("keras", "auto"):
    st.segmented_control(t("train.preset"), list(presets), key=state.TRAIN_PRESET, on_change=choose_preset,
                         required=True, format_func=lambda name: t(f"train.preset_{name}"),
                         help=t("train.preset_help"))
    values = chosen["values"]
    rnn = values["rnn"]
    rnn_name = t(f"train.rnn_{rnn}")
    st.caption(t("train.preset_summary", units=values["lstm_units"],
                 rnn=t("train.bidirectional_short", rnn=rnn_name) if values["bidirectional"] else rnn_name,
                 epochs=values["epochs"], batch=values["batch_size"],
                 length=preprocess.max_length or values["max_length"], seconds=round(chosen["seconds"]),
                 minutes=max(1, round(chosen["max_seconds"] / 60))))
    if presets["balanced"]["values"]["class_weight"] == "balanced":
        st.caption(t("train.class_weight_suggested"))
else:
    st.caption(t("train.tfidf_summary"))


def vector_choices() -> list[str]:
    """What the network may start from: nothing, vectors learned from the user's texts, a file
    the administrator put in STUDIO_VECTORS_DIR, or one uploaded here."""
    return ["none", "learn", *(f"server:{name}" for name in server_vectors()), "upload"]


def vectors_label(value: str) -> str:
    if value.startswith("server:"):
        return t("train.vectors_server", name=value.split(":", 1)[1])
    return t(f"train.vectors_{value}")


def word_vectors():
    """The Word vectors choice: ``(source for start_training or None, problem key or None)``."""
    unlabelled = unlabelled_texts
    choices = vector_choices()
    if st.session_state.get(state.TRAIN_VECTORS) not in choices:
        st.session_state[state.TRAIN_VECTORS] = "learn" if unlabelled else "none"
    left, right = st.columns([3, 2])
    choice = left.selectbox(t("train.vectors"), choices, key=state.TRAIN_VECTORS, format_func=vectors_label,
                            help=t("train.vectors_help"), placeholder=t("common.choose_one"))
    if choice != "none":
        right.toggle(t("train.freeze_vectors"), key=state.TRAIN_FREEZE, help=t("train.freeze_vectors_help"))
    if choice == "learn":
        left.caption(t("train.vectors_learn_note", n=f"{len(dataset.texts) + len(unlabelled):,}",
                       unlabelled=f"{len(unlabelled):,}"))
        return "learn", None
    if choice.startswith("server:"):
        return str(server_vectors()[choice.split(":", 1)[1]]), None
    if choice == "upload":
        upload = left.file_uploader(t("train.vectors_upload"), key="train_vectors_upload",
                                    type=["vec", "txt", "bin", "gz", "w2v"], help=t("train.vectors_upload_help"))
        if upload is None:
            return None, "train.vectors_upload_first"
        try:
            return state.keep_vectors_upload(upload.getvalue(), upload.name), None
        except UserError as error:
            show_error(error)
            return None, "train.vectors_upload_first"
    return None, None


def draw_setting(column, knob) -> None:
    """One setting's widget, as core.models.settings describes it."""
    label, help_text = t(knob.label), t(knob.help)
    if knob.switch:
        column.toggle(t(f"train.{knob.switch}"), key=switch_key(knob), help=t(f"train.{knob.switch}_help"))
    if knob.widget == "radio":
        column.radio(label, list(knob.choices), horizontal=True, key=knob.key, help=help_text,
                     format_func=lambda value, short=knob.short: t(f"train.{short}_{value}"))
    elif knob.widget == "number":
        column.number_input(label, knob.low, knob.high, step=knob.step, key=knob.key, help=help_text)
    elif knob.widget == "slider":
        column.slider(label, knob.low, knob.high, step=knob.step, key=knob.key, help=help_text)
    elif knob.widget == "select_slider":
        column.select_slider(label, steps_with(knob.steps, st.session_state.get(knob.key)), key=knob.key,
                             help=help_text, format_func=(lambda value: t("app.off") if value == 0 else f"{value:g}")
                             if knob.zero_off else str)
    elif knob.widget == "toggle":
        column.toggle(label, key=knob.key, help=help_text)


def advanced_settings() -> None:
    """Every setting of the network, in three columns."""
    for column, place in zip(st.columns(3), range(3)):
        for knob in page_settings(place):
            draw_setting(column, knob)


def planned():
    """The run the widgets describe (core.models.settings.plan_run on the chosen preset)."""
    overrides = {knob.name: knob.from_widget(st.session_state[knob.key], st.session_state.get(switch_key(knob), True))
                 for knob in page_settings()}
    return plan_run(preset_values(preset_name), overrides, preprocess)


vectors_source, vectors_problem = word_vectors() if kind in ("keras", "auto") else (None, None)
if vectors_source is not None and vectors_source != "learn":
    coverage = state.vectors_coverage(vectors_source, dataset.texts + unlabelled_texts, preprocess)
    if isinstance(coverage, UserError):
        show_error(coverage)
        vectors_problem = "train.vectors_upload_first"
    else:
        st.caption(t("train.vectors_coverage", share=f"{coverage['share']:.0%}", dim=coverage["dim"],
                     words=f"{coverage['words']:,}"))

with st.form("train_form", border=True):
    short = {"keras": "lstm", "tfidf": "tfidf", "auto": "auto"}[kind]
    suggested = f"{st.session_state[state.SOURCE_NAME]}-{short}-{len(st.session_state[state.MODELS]) + 1}"
    name = st.text_input(t("train.name"), suggested, key={"keras": "train_name", "tfidf": "train_name_tfidf",
                                                          "auto": "train_name_auto"}[kind], max_chars=60)
    if kind in ("keras", "auto"):
        with st.expander(t("train.advanced"), icon=":material/tune:"):
            advanced_settings()
    else:
        left, right = st.columns(2)
        for column, knob in ((left, setting("validation_share")), (right, setting("seed"))):
            draw_setting(column, knob)

    if kind in ("keras", "auto"):
        plan = planned()
        need = estimate_memory(preprocess.max_vocab, len(dataset.label_names), plan.model, plan.train,
                               plan.preprocess.max_length, len(dataset))["total"]
        free = available_memory()
        st.caption(t("train.memory", need=f"{need / 2**30:.1f}", free=f"{free / 2**30:.1f}" if free else "?"))
    blocked = st.session_state[state.STORE_PROBLEM] is not None
    if vectors_problem:
        st.caption(t(vectors_problem))
    submitted = st.form_submit_button(t("train.start"), type="primary", disabled=running or blocked or bool(vectors_problem),
                                      width="stretch", key="train_start")

if submitted and not running:
    try:
        plan = planned()
        model_config = plan.model
        if vectors_source is not None:
            model_config = replace(model_config, freeze_embedding=bool(st.session_state.get(state.TRAIN_FREEZE)))
        job = start_training(dataset, plan.preprocess, model_config, plan.train, name.strip() or "model",
                             st.session_state[state.SOURCE_NAME], state.store(), kind=kind, vectors=vectors_source,
                             unlabelled=unlabelled_texts if vectors_source else ())
    except UserError as error:  # settings that cannot work, a full workspace, a run already going
        show_error(error)
    else:
        st.session_state[state.JOB_ID] = job.job_id
        st.session_state[state.JOB_SHOWN] = job.job_id   # the widgets already show its settings
        st.session_state[state.TRAIN_SCROLL] = True
        # Draw the page again as it is during a run: Start greyed out (a second click would only
        # be refused with "one run per workspace"), the live view below.
        st.rerun()


show_runs(running)
