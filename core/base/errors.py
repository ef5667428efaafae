"""The one error type a person sees.

`core` raises :class:`UserError` for every mistake a user can fix (a bad file, a wrong column,
settings that cannot work). It carries a catalog key and parameters so the UI can show the
message in the user's language, and ``str(error)`` is the English sentence the CLI prints.
"""

from __future__ import annotations

from core.base.i18n import translate


class UserError(ValueError):
    """A mistake the user can fix, with a message that says how.

    Parameters
    ----------
    key : str
        Message key in :mod:`core.base.i18n`'s catalog, e.g. ``"err.only_one_class"``.
    **params
        Values substituted into the message.

    Examples
    --------
    >>> str(UserError("err.no_usable_rows", dropped=3))
    'No usable rows: every row has an empty text or label (3 dropped). Check the chosen columns.'
    """

    def __init__(self, key: str, **params):
        self.key = key
        # Parameters often echo the user's file (names, headers): keep the message one line.
        self.params = {name: _one_line(value) if isinstance(value, str) else value for name, value in params.items()}
        super().__init__(translate(key, "en", **self.params))

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` ("en" or "zh")."""
        return translate(self.key, lang, **self.params)


def _one_line(value: str, limit: int = 160) -> str:
    """``value`` without line breaks or control characters, cut to ``limit`` characters."""
    flat = " ".join("".join(char if char.isprintable() else " " for char in value).split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"
