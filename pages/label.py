"""Label page: the unlabelled texts most worth labelling next, one click (or number key) each."""

from dataclasses import replace

import streamlit as st

from core.base.errors import UserError
from core.evaluation import charts
from core.evaluation.active import Pool, holdout_rows, quick_score
from core.text import default_config
from ui import state
from ui.common import page_header, require_dataset, show_error, t

page_header("label")
dataset = require_dataset()
choices = state.data_choices()
unlabelled = state.unlabelled_pool()
labelled_texts = set(dataset.texts)
pool_texts = [text for text in unlabelled if text not in labelled_texts]
if not pool_texts:
    st.info(t("label.no_pool"), icon=":material/library_books:")
    st.page_link("pages/data.py", label=t("nav.data"), icon=":material/table_view:")
    st.stop()
preprocess = st.session_state[state.PREPROCESS] or default_config(dataset.texts)
extra = st.session_state[state.UNLABELLED]
pool_key = (extra["name"] if extra else "", len(unlabelled), preprocess.tokenizer)
with st.spinner(t("label.reading", n=f"{len(pool_texts):,}")):
    pool = state.memo("label_pool", pool_key, lambda: Pool(unlabelled, preprocess), keep=1)
# The file's own rows (without those labelled here): a fixed part of them scores the quick model.
added_pairs = set(choices.added)
file_rows = [(text, label) for text, label in zip(dataset.texts, dataset.labels) if (text, label) not in added_pairs]
file_texts, file_labels = [text for text, _ in file_rows], [label for _, label in file_rows]
held_out = state.memo("label_holdout", (st.session_state[state.DATA_FILE], len(file_texts)),
                      lambda: holdout_rows(file_labels), keep=1)


# Number keys press the class buttons (1-9) and Skip (0) — not while typing in a box. The listener
# is put into the page itself, once per page load: a listener made by the script of the small frame
# below died with the frame when a batch ended, and a flag it had left on the page kept the next
# batch's frame from making another (number keys worked in the first batch only).
KEYS_SCRIPT = """<script>
const doc = window.parent.document;
if (!doc.__studioLabelKeys) {
  const script = doc.createElement("script");
  script.textContent = `
    document.addEventListener("keydown", (event) => {
      const target = event.target;
      if (target && (["INPUT", "TEXTAREA"].includes(target.tagName) || target.isContentEditable)) return;
      if (!/^[0-9]$/.test(event.key)) return;
      const button = [...document.querySelectorAll("button")]
        .find((b) => b.innerText.trim().startsWith("[" + event.key + "]"));
      if (button) { event.preventDefault(); button.click(); }
    });
    document.__studioLabelKeys = true;`;
  doc.head.appendChild(script);
}
</script>"""


def revalidate(new_choices) -> None:
    """Keep the choices with the new labels and validate the data again (the Train page uses it)."""
    state.remember_choices(new_choices)
    try:
        data, report = state.validated(new_choices)
    except UserError as error:
        st.session_state[state.EVAL_ERROR] = error
        return
    state.set_dataset(data, report, state.dataset_signature(new_choices))


def score_point() -> None:
    """After a batch: the quick model's accuracy on the held-out labelled rows, for the curve."""
    current = state.data_choices()
    accuracy = quick_score(file_texts, file_labels, held_out, current.added, preprocess)
    curve = st.session_state[state.LABEL_CURVE]
    if accuracy is not None:
        if curve and curve[-1][0] == len(current.added):   # the batch's end again, after an undo
            curve.pop()
        curve.append([len(current.added), accuracy])
        state.remember_labelling()


def propose() -> None:
    current = state.data_choices()
    size = int(st.session_state.get(state.LABEL_BATCH_SIZE) or 20)
    if not st.session_state[state.LABEL_CURVE]:
        score_point()
    added = dict(current.added)
    labelled = {row: added[text] for row, text in enumerate(pool.texts) if text in added}
    rows = pool.propose(labelled, size, list(dataset.texts), list(dataset.labels))
    st.session_state[state.LABEL_BATCH] = {"rows": [int(row) for row in rows], "position": 0,
                                           "texts": [pool.texts[row] for row in rows]}
    state.remember_labelling()


def answer(label: str | None) -> None:
    """One text labelled (or skipped, ``None``); after the batch's last text the curve grows."""
    batch = st.session_state[state.LABEL_BATCH]
    text = pool.texts[batch["rows"][batch["position"]]]
    if label:
        current = state.data_choices()
        revalidate(replace(current, added=(*current.added, (text, label))))
    batch.setdefault("answers", []).append(label)
    batch["position"] += 1
    if batch["position"] >= len(batch["rows"]):
        score_point()
    state.remember_labelling()


def undo() -> None:
    """Take back the batch's last answer: its label leaves the data (a skip just comes back)
    and that text is asked again."""
    batch = st.session_state[state.LABEL_BATCH]
    if not batch or not batch.get("answers"):
        return
    label = batch["answers"].pop()
    batch["position"] -= 1
    if label:
        current = state.data_choices()
        text = pool.texts[batch["rows"][batch["position"]]]
        added = list(current.added)
        if (text, label) in added:
            del added[len(added) - 1 - added[::-1].index((text, label))]
            revalidate(replace(current, added=tuple(added)))
    state.remember_labelling()


def add_class() -> None:
    label = str(st.session_state.get(state.LABEL_NEW_CLASS) or "").strip()
    if label:
        st.session_state[state.LABEL_NEW_CLASS] = ""
        answer(label)


if state.EVAL_ERROR in st.session_state:
    show_error(st.session_state.pop(state.EVAL_ERROR))
counts = st.columns(3)
counts[0].metric(t("label.pool"), f"{len(pool_texts):,}")
counts[1].metric(t("label.labelled_here"), f"{len(choices.added):,}")
counts[2].metric(t("label.classes"), len(dataset.label_names))

batch = st.session_state[state.LABEL_BATCH]
if batch is not None and batch.get("texts") != [pool.texts[row] if 0 <= row < len(pool.texts) else None
                                                for row in batch["rows"]]:
    batch = st.session_state[state.LABEL_BATCH] = None     # a batch of another file or pool (after a reload)
if batch is None or batch["position"] >= len(batch["rows"]):
    size_column, button_column = st.columns([1, 3], vertical_alignment="bottom")
    size_column.number_input(t("label.batch_size"), 5, 100, step=5, key=state.LABEL_BATCH_SIZE)
    button_column.button(t("label.propose"), key="label_propose", on_click=propose, type="primary",
                         icon=":material/playlist_add_check:", help=t("label.propose_help"))
    if batch is not None:
        st.success(t("label.batch_done", n=len(batch["rows"])), icon=":material/check_circle:")
        if batch.get("answers"):
            st.button(t("label.undo"), key="label_undo", on_click=undo, icon=":material/undo:")
else:
    position, rows = batch["position"], batch["rows"]
    st.progress(position / len(rows), text=t("label.progress", i=position + 1, n=len(rows)))
    with st.container(border=True):
        st.markdown(f"**{t('label.which')}**")
        st.text(pool.texts[rows[position]])
    names = dataset.label_names
    buttons = st.columns(min(len(names), 5) + 1)
    for index, name in enumerate(names):
        shown = t("label.class_button", number=index + 1, name=name) if index < 9 else name
        buttons[index % (len(buttons) - 1)].button(shown, key=f"label_class_{index}", on_click=answer,
                                                   args=(name,), width="stretch")
    buttons[-1].button(t("label.skip_button"), key="label_skip", on_click=answer, args=(None,), width="stretch")
    new_column, add_column = st.columns([3, 1], vertical_alignment="bottom")
    new_column.text_input(t("label.new_class"), key=state.LABEL_NEW_CLASS, max_chars=60)
    add_column.button(t("label.add_class"), key="label_add_class", on_click=add_class, width="stretch")
    st.caption(t("label.keys"))
    if batch.get("answers"):
        st.button(t("label.undo"), key="label_undo", on_click=undo, icon=":material/undo:")
    st.iframe(KEYS_SCRIPT, height=1)


curve = st.session_state[state.LABEL_CURVE]
if len(curve) >= 2:
    st.plotly_chart(charts.labels_curve_figure(curve, t("label.curve"), t("label.curve_x"), t("eval.accuracy")),
                    width="stretch", key="label_curve_chart")
    st.caption(t("label.curve_help", n=len(held_out)))
elif not len(held_out):
    st.caption(t("label.no_holdout"))
