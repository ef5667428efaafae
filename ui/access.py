"""Who may use the app: Streamlit's OIDC login, a shared password, or nobody is asked (local mode).

Configured in ``.streamlit/secrets.toml`` (never committed; see the README):

* ``[auth]`` — Streamlit's built-in OpenID Connect login (``st.login``); every visitor signs in,
  and with ``[access] allowed = ["alice@example.com", "@example.com"]`` only those accounts
  (addresses, or ``@domains``) get in.
* ``[access] password = "…"`` — one password for everyone on a shared server, asked once per
  browser session and compared in constant time; after each wrong one, the address that sent
  it waits twice as long (1, 2, 4 … 300 s) before its next try is checked, however many
  sessions it opens (:class:`core.service.access.Backoff`).
* neither — single-user / local mode, and the sidebar says so in plain words (the technical
  detail behind its help icon).
"""

from __future__ import annotations

import hmac

import streamlit as st

from core.service.access import Backoff, allowed
from ui import state
from ui.common import t


def _secret(section: str, key: str | None = None):
    try:
        value = st.secrets[section]
        return value[key] if key is not None else value
    except Exception:
        return None


def mode() -> str:
    """``"oidc"``, ``"password"`` or ``"local"``."""
    if _secret("auth") is not None:
        return "oidc"
    if _secret("access", "password"):
        return "password"
    return "local"


def password_matches(given: str, expected: str) -> bool:
    """Constant-time comparison of the typed password with the configured one."""
    return hmac.compare_digest(given.encode("utf-8"), str(expected).encode("utf-8"))


@st.cache_resource(show_spinner=False)
def _backoff() -> Backoff:
    """Wrong passwords per address, shared by every session of this server process."""
    return Backoff()


def _address() -> str:
    """The visitor's address, for the back-off: the connection's, or — only when the
    administrator says the server sits behind a proxy (``[access] behind_proxy = true``) — the
    first of X-Forwarded-For (a client could otherwise send a new one with every guess)."""
    headers = st.context.headers or {}
    forwarded = headers.get("X-Forwarded-For") if hasattr(headers, "get") else None
    if _secret("access", "behind_proxy") is True and isinstance(forwarded, str) and forwarded.strip():
        return forwarded.split(",")[0].strip()
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "unknown"


def _check_password() -> None:
    given = st.session_state.get(state.ACCESS_PASSWORD, "")
    st.session_state[state.ACCESS_PASSWORD] = ""
    address, gate = _address(), _backoff()
    waiting = gate.wait(address)
    if waiting > 0:   # not even checked: guessing from one address is slowed down, whatever the session
        st.session_state[state.ACCESS_WRONG] = ("access.wait", {"seconds": max(1, round(waiting))})
        return
    if password_matches(given, _secret("access", "password")):
        gate.succeeded(address)
        st.session_state[state.AUTHENTICATED] = True
        st.session_state[state.ACCESS_WRONG] = None
    else:
        wait = gate.failed(address)
        st.session_state[state.ACCESS_WRONG] = ("access.wrong_password_wait", {"seconds": max(1, round(wait))})


def _login_page() -> None:
    st.title(t("app.name"))
    st.info(t("access.login_needed"), icon=":material/lock:")
    st.button(t("access.login"), key="access_login", on_click=st.login, type="primary")


def _not_allowed_page() -> None:
    st.title(t("app.name"))
    st.error(t("access.not_allowed", user=str(st.user.get("email") or st.user.get("name") or "")),
             icon=":material/block:")
    st.button(t("access.logout"), key="access_logout", on_click=st.logout)


def _password_page() -> None:
    st.title(t("app.name"))
    st.info(t("access.password_needed"), icon=":material/lock:")
    st.text_input(t("access.password"), type="password", key=state.ACCESS_PASSWORD, on_change=_check_password)
    st.button(t("access.enter"), key="access_enter", type="primary", on_click=_check_password)
    wrong = st.session_state.get(state.ACCESS_WRONG)
    if wrong:
        st.error(t(wrong[0], **wrong[1]), icon=":material/block:")


# The url paths of app.py's pages: while signed out, each of them shows the sign-in form (not
# "page not found"), and after signing in the same address opens the page asked for.
APP_PAGES = ("data", "preprocess", "train", "evaluate", "predict", "models")


def _only(page) -> None:
    """Make ``page`` the only thing any address of the app shows in this run, and stop.

    Going through ``st.navigation`` (rather than drawing and stopping) also ends Streamlit's
    classic ``pages/`` mode for the server, in which a page's address would run that page
    without ``app.py`` (see ``ui.state.require_app``)."""
    def stand_in(path):
        def draw():
            page()
        draw.__name__ = f"signin_{path}"
        return draw

    st.navigation([st.Page(stand_in(path), title=t("app.name"), url_path=path, default=path == APP_PAGES[0])
                   for path in APP_PAGES], position="hidden").run()
    st.stop()


def gate() -> None:
    """Stop the page run unless the visitor may use the app; in local mode, say so."""
    chosen = mode()
    if chosen == "oidc":
        if not st.user.is_logged_in:
            _only(_login_page)
        if not allowed(st.user.get("email"), _secret("access", "allowed")):
            _only(_not_allowed_page)
        with st.sidebar:
            st.caption(t("access.signed_in", user=str(st.user.get("email") or st.user.get("name") or "")))
            st.button(t("access.logout"), key="access_logout", on_click=st.logout)
    elif chosen == "password":
        if not st.session_state[state.AUTHENTICATED]:
            _only(_password_page)
    else:
        with st.sidebar:
            st.caption(t("access.local_mode"), help=t("access.local_mode_help"))
