"""Access control, the server configuration, the error boundary and fault notices, through AppTest."""

import tomllib

from streamlit.testing.v1 import AppTest

from core.store import ModelStore, new_workspace_id
from tests.conftest import ROOT
from tests.pages.conftest import APP, texts


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


def test_a_password_from_secrets_guards_every_page(monkeypatch):
    import core.service.access
    import ui.access

    clock = [1000.0]
    monkeypatch.setattr(core.service.access.time, "monotonic", lambda: clock[0])
    ui.access._backoff.clear()
    app = app_with({"access": {"password": "correct horse"}})
    assert not app.exception
    assert "enter the password" in texts(app.info)
    assert [title.value for title in app.title] == ["Text Classifier Studio"]   # no page drawn
    assert app.session_state["workspace"] is None                                # nothing opened yet
    # (Another page's address goes through app.py too in a browser: tests/e2e checks that.)

    app.text_input(key="access_password").input("wrong").run()
    assert "That password is not right. Try again in 1 s" in texts(app.error)
    assert "Your data" not in [title.value for title in app.title]
    app.text_input(key="access_password").input("correct horse").run()   # within the second: not even checked
    assert "Too many wrong passwords from your address: try again in 1 s." in texts(app.error)
    assert "Your data" not in [title.value for title in app.title]
    clock[0] += 1.5
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


def test_wrong_passwords_from_one_address_wait_longer_and_longer_across_sessions(monkeypatch):
    """Issue 21: 32 wrong guesses in 21 s from 8 sessions, no lockout."""
    import core.service.access
    import ui.access

    clock = [5000.0]
    monkeypatch.setattr(core.service.access.time, "monotonic", lambda: clock[0])
    ui.access._backoff.clear()
    waits = []
    for guess in range(6):
        app = app_with({"access": {"password": "correct horse"}})       # a new session each time
        app.text_input(key="access_password").input(f"guess {guess}").run()
        waits.append(texts(app.error))
        clock[0] += 0.5                                                   # half a second between tries
    assert "Try again in 1 s" in waits[0] and "Try again in 2 s" in waits[2]
    assert all("Too many wrong passwords" in message for message in (waits[1], waits[3], waits[4], waits[5]))
    clock[0] += 3
    app = app_with({"access": {"password": "correct horse"}})
    app.text_input(key="access_password").input("correct horse").run()
    assert "Your data" in [title.value for title in app.title]


def test_oidc_allow_list_lets_in_only_listed_accounts():
    """Issue 21: OIDC let in any account the provider accepted."""
    auth = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
            "client_id": "id", "client_secret": "secret",
            "server_metadata_url": "https://accounts.example.com/.well-known/openid-configuration"}
    for email, admitted in (("eve@evil.example", False), ("alice@example.com", True)):
        app = AppTest.from_file(APP, default_timeout=120)
        app.secrets["auth"] = auth
        app.secrets["access"] = {"allowed": ["@example.com"]}
        app.user = {"is_logged_in": True, "email": email}
        app.run()
        assert not app.exception
        assert ("Your data" in [title.value for title in app.title]) is admitted
        assert ("is not allowed on this server" in texts(app.error)) is not admitted


def test_a_full_disk_is_said_in_plain_words_and_what_exists_stays_listed(tiny_result, monkeypatch):
    """Issue 21: the Models page showed an error id (sqlite3 'disk I/O error'), a new session
    'No model yet'."""
    import sqlite3

    from core.base.errors import UserError

    workspace = new_workspace_id()
    ModelStore(workspace=workspace).add(tiny_result.bundle, "kept", "sms")

    def full(self):
        raise UserError("err.disk_full", path=str(self.root), reason="No space left on device")

    monkeypatch.setattr(ModelStore, "check_writable", full)
    app = app_with(workspace=workspace)                          # a new session on a full disk
    assert not app.exception
    assert "disk is full" in texts(app.sidebar.warning)
    assert [record["entry"].name for record in app.session_state["models"].values()] == ["kept"]
    app.switch_page("pages/predict.py").run()
    assert "No model yet" not in texts(app.info)

    real_connect = ModelStore._connect

    def broken(self):
        connection = real_connect(self)
        connection.close()
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ModelStore, "_connect", broken)
    app.switch_page("pages/models.py").run()
    assert not app.exception
    assert "Something went wrong" not in texts(app.error) and "cannot be written" in texts(app.error)
    assert app.dataframe[0].value["Name"].tolist() == ["kept"]   # what the session has is still listed


def test_an_unknown_workspace_id_opens_a_new_workspace_and_says_so():
    """Issue 21: any 8-64 character id opened a workspace (?ws=aaaaaaaa)."""
    app = app_with(workspace="aaaaaaaa")
    assert not app.exception
    assert app.session_state["workspace"] != "aaaaaaaa" and app.session_state["workspace_new"]
    assert "does not know" in texts(app.sidebar.warning)
    issued = new_workspace_id()
    again = app_with(workspace=issued)
    assert again.session_state["workspace"] == issued and not again.session_state["workspace_new"]
