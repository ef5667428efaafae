"""Helpers and fixtures of the page tests (Streamlit's AppTest): a fresh app, a sample loaded,
the text of a list of elements. The small trained model of the core tests is a fixture here too."""

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.core.conftest import tiny_result  # noqa: F401 - the fixture, shared with the page tests

APP = str(ROOT / "app.py")


def new_app() -> AppTest:
    """The app as a fresh browser tab opens it, run once."""
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    return app


def texts(elements) -> str:
    """The values of ``elements`` (alerts, captions, …), one per line."""
    return "\n".join(str(element.value) for element in elements)


def load_sample(app: AppTest, name: str = "sms_spam") -> AppTest:
    """Open the Data page of ``app`` and load the bundled sample ``name``."""
    app.switch_page("pages/data.py").run()
    app.button(key=f"sample_{name}").click().run()
    return app
