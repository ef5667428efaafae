"""Access control, the server configuration, the error boundary and fault notices, through AppTest."""

import tomllib

from streamlit.testing.v1 import AppTest

from core.store import ModelStore, new_workspace_id
from tests.conftest import ROOT
from tests.core.conftest import tiny_result  # noqa: F401 - the fixture
from tests.pages.test_pages import APP, texts


def app_with(secrets=None, workspace=None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    for key, value in (secrets or {}).items():
        app.secrets[key] = value
    if workspace:
        app.query_params["ws"] = workspace
    app.run()
    return app


def test_without_password_or_login_the_app_says_it_is_in_local_mode():
    app = app_with()
    assert not app.exception
    assert app.title[0].value == "Your data"
    assert "No password is set: anyone who can open this page can use the app" in texts(app.sidebar.caption)
    notice = next(caption for caption in app.sidebar.caption if "No password is set" in caption.value)
    assert "single-user (local) mode" in notice.help and "secrets.toml" in notice.help   # the jargon behind the icon


def test_a_password_from_secrets_guards_every_page():
    app = app_with({"access": {"password": "correct horse"}})
    assert not app.exception
    assert "enter the password" in texts(app.info)
    assert [title.value for title in app.title] == ["Text Classifier Studio"]   # no page drawn
    assert app.session_state["workspace"] is None                                # nothing opened yet
    # (Another page's address goes through app.py too in a browser: tests/e2e checks that.)

    app.text_input(key="access_password").input("wrong").run()
    assert "That password is not right" in texts(app.error)
    assert "Your data" not in [title.value for title in app.title]
    app.text_input(key="access_password").input("correct horse").run()
    assert not app.exception
    assert "Your data" in [title.value for title in app.title]
    assert "No password is set" not in texts(app.sidebar.caption)


def test_oidc_login_when_auth_is_configured():
    auth = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
            "client_id": "id", "client_secret": "secret",
            "server_metadata_url": "https://accounts.example.com/.well-known/openid-configuration"}
    app = AppTest.from_file(APP, default_timeout=120)
    app.secrets["auth"] = auth
    app.user = {"is_logged_in": False} if hasattr(app, "user") else None
    app.run()
    assert not app.exception
    assert "sign in to use it" in texts(app.info)
    assert app.button(key="access_login").label == "Sign in"
    assert "Your data" not in [title.value for title in app.title]


def test_server_config_keeps_xsrf_on_statistics_off_and_uploads_bounded():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert 0 < config["server"]["maxUploadSize"] <= 200
    assert config["client"]["showErrorDetails"] == "none"                      # no tracebacks in the browser
    assert not (ROOT / ".streamlit" / "secrets.toml").exists()                  # never committed


def test_an_unexpected_error_shows_an_id_not_a_traceback(caplog):
    def page():
        from ui.common import error_boundary

        def broken():
            raise RuntimeError("internal detail the user must not see")

        error_boundary(broken)

    app = AppTest.from_function(page)
    app.run()
    assert not app.exception
    [message] = [error.value for error in app.error]
    assert message.startswith("Something went wrong on our side (error id ") and "internal detail" not in message
    error_id = message.split("error id ")[1][:8]
    assert any(error_id in record.getMessage() and record.exc_info for record in caplog.records)


def test_an_interrupted_run_is_reported_once_with_what_was_kept(tmp_path, tiny_result):
    import os

    workspace = new_workspace_id()
    store = ModelStore(os.environ["STUDIO_DATA_DIR"], workspace)
    kept = store.add(tiny_result.bundle, "nightly (interrupted)", "sms")
    store.record_interrupted("job123", "nightly", 4, 10, kept.model_id, 3)
    app = app_with(workspace=workspace)
    app.switch_page("pages/train.py").run()
    assert not app.exception
    assert ("The run 'nightly' was interrupted when the server stopped (epoch 4 of 10). Its best weights so far "
            "(epoch 3) were kept as the model 'nightly (interrupted)'.") in texts(app.warning)
    app.button(key="train_dismiss_job123").click().run()
    assert "was interrupted" not in texts(app.warning)
    again = app_with(workspace=workspace)
    again.switch_page("pages/train.py").run()
    assert "was interrupted" not in texts(again.warning)


def test_an_unwritable_data_folder_is_explained_and_training_is_off(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("STUDIO_DATA_DIR", str(blocker / "data"))
    app = app_with()
    assert not app.exception
    assert "cannot be written" in texts(app.sidebar.warning)
    app.button(key="sample_sms_spam").click().run()
    assert "Ready: 2,500 labelled texts" in texts(app.success) + texts(app.info)  # the rest of the app works
    app.switch_page("pages/train.py").run()
    assert not app.exception
    assert app.button(key="train_start").disabled
