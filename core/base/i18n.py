"""The message catalog: every string a user sees, in English and Simplified Chinese.

``translate(key, lang, **params)`` looks a key up and fills in ``{name}`` fields. A missing key
in either language is a bug that ``tests/core/test_i18n.py`` catches.
"""

from __future__ import annotations

from core.base.deployment import value
from core.base.messages import MESSAGES as _ERRORS
from core.base.messages_ui import UI_MESSAGES

MESSAGES = {**_ERRORS, **UI_MESSAGES}

LANGUAGES = {"en": "English", "zh": "中文"}
DEFAULT_LANGUAGE = "en"


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **params) -> str:
    """The message ``key`` in ``lang``, with ``params`` filled in.

    Unknown languages fall back to English; an unknown key raises ``KeyError`` so a typo is
    found by the tests rather than shown to a user.

    Examples
    --------
    >>> translate("err.same_columns", "en")
    'The text column and the label column are the same. Choose two different columns.'
    """
    entry = MESSAGES[key]
    template = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return template.format(**params) if params else template


def server_language() -> str:
    """The language used when the browser says nothing we speak: ``STUDIO_LANG`` ("en" or
    "zh") if the server sets it, else English."""
    chosen = str(value("STUDIO_LANG")).strip().lower()
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def pick_language(accept_language: str | None) -> str:
    """The catalog language matching a browser's Accept-Language header (else
    :func:`server_language`)."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()
        if code.startswith("zh"):
            return "zh"
        if code.startswith("en"):
            return "en"
    return server_language()


def seconds(value) -> str:
    """A duration in seconds as every page shows it: one decimal (two below one second), so
    the same run shows the same figure everywhere.

    Examples
    --------
    >>> seconds(21.517), seconds(0.314), seconds(None)
    ('21.5', '0.31', '–')
    """
    if value is None:
        return "–"
    value = float(value)
    return f"{value:.2f}" if value < 1 else f"{value:.1f}"
