"""Text Classifier Studio — the entry point: page list, shared sidebar, session defaults.

Start it with ``streamlit run app.py``.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import streamlit as st

from core.base.quiet import import_tensorflow_soon
from ui import access, state
from ui.common import error_boundary, init_language, language_switch, t

st.set_page_config(page_title="Text Classifier Studio", page_icon="🔤", layout="wide")
state.init()
init_language()
access.gate()  # a shared server asks for its password or login before anything else runs
state.init_workspace()
state.collect_finished_job()

pages = [
    st.Page("pages/data.py", title=t("nav.data"), icon=":material/table_view:", default=True),
    st.Page("pages/preprocess.py", title=t("nav.preprocess"), icon=":material/tune:"),
    st.Page("pages/train.py", title=t("nav.train"), icon=":material/model_training:"),
    st.Page("pages/evaluate.py", title=t("nav.evaluate"), icon=":material/analytics:"),
    st.Page("pages/predict.py", title=t("nav.predict"), icon=":material/bolt:"),
    st.Page("pages/models.py", title=t("nav.models"), icon=":material/inventory_2:"),
    st.Page("pages/label.py", title=t("nav.label"), icon=":material/label:"),
]
page = st.navigation(pages)
state.open_asked_page(pages, page)   # the page whose address was opened before app.py ran
with st.sidebar:
    st.markdown(f"### :material/category: {t('app.name')}")
    st.caption(t("app.tagline"))
    if st.session_state[state.WORKSPACE_UNKNOWN]:
        st.warning(t("app.workspace_unknown"), icon=":material/link_off:")
    if st.session_state[state.WORKSPACE_NEW]:
        st.info(t("app.workspace_new"), icon=":material/bookmark:")
    else:
        st.caption(t("app.workspace"))
    if st.session_state[state.STORE_PROBLEM] is not None:
        st.warning(st.session_state[state.STORE_PROBLEM].message(st.session_state[state.LANG]), icon=":material/sd_card_alert:")
language_switch()

try:
    error_boundary(page.run)
finally:
    # TensorFlow loads in the background once the first page is drawn (once per server process,
    # also after a page's st.stop()): the first page neither waits for it nor shares the
    # interpreter with it while it is drawn.
    import_tensorflow_soon()
