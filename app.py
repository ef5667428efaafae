"""Text Classifier Studio — the entry point: page list, shared sidebar, session defaults.

Start it with ``streamlit run app.py``.
"""

import logging
import os
import uuid

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import streamlit as st  # noqa: E402

from ui import state  # noqa: E402
from ui.common import init_language, language_switch, t  # noqa: E402

st.set_page_config(page_title="Text Classifier Studio", page_icon="🔤", layout="wide")
state.init()
init_language()
state.collect_finished_job()

pages = [
    st.Page("pages/data.py", title=t("nav.data"), icon=":material/table_view:", default=True),
    st.Page("pages/preprocess.py", title=t("nav.preprocess"), icon=":material/tune:"),
    st.Page("pages/train.py", title=t("nav.train"), icon=":material/model_training:"),
    st.Page("pages/evaluate.py", title=t("nav.evaluate"), icon=":material/analytics:"),
    st.Page("pages/predict.py", title=t("nav.predict"), icon=":material/bolt:"),
]
page = st.navigation(pages)
with st.sidebar:
    st.markdown(f"### :material/category: {t('app.name')}")
    st.caption(t("app.tagline"))
language_switch()

try:
    page.run()
except Exception:  # the error boundary: details to the server log, a friendly line to the user
    error_id = uuid.uuid4().hex[:8]
    logging.getLogger("studio").exception("unexpected error %s", error_id)
    st.error(t("app.unexpected_error", error_id=error_id), icon=":material/error:")
