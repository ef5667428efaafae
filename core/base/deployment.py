"""Every deployment setting (a ``STUDIO_*`` environment variable), defined once.

A :class:`EnvSetting` says its name, its type, its default, the least value it takes and what it
means. Code reads a setting only through :func:`value` (``value("STUDIO_MAX_ROWS")``), which
parses it the one way its type says; a value that cannot be parsed (``STUDIO_MAX_ROWS=lots``)
falls back to the default with a line in the server's log, never a traceback. The README's
table of settings is :func:`markdown_table` (a test keeps the two equal), so adding a variable
is one entry here, its use, and that table regenerated.

Read at each call, not cached: the fenced parser's child and the tests set them at run time.
Nothing here imports anything heavy.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

log = logging.getLogger(__name__)

# The one upload limit (MB): the Data page's files, bundles, the service's bodies are held to it.
# .streamlit/config.toml's server.maxUploadSize must say the same (tests/test_house.py checks).
UPLOAD_MB = 200


@dataclass(frozen=True)
class EnvSetting:
    """One ``STUDIO_*`` variable.

    Attributes
    ----------
    name : str
    kind : {"int", "float", "str", "path", "flag"}
        ``flag``: on unless set to ``0``.
    default : object
        Used when the variable is unset, empty or unreadable (``None``: off).
    meaning : str
        One line for the README's table.
    minimum : float, optional
        The least value an ``int``/``float`` takes (a smaller one is raised to it); none for the
        limits, where 0 refuses everything (``STUDIO_MAX_BUNDLE_MB=0``: no bundle uploads).
    """

    name: str
    kind: str
    default: object
    meaning: str
    minimum: float | None = None

    def parse(self, raw: str | None):
        """``raw`` (the variable's text, or ``None`` when unset) as this setting's value.

        Examples
        --------
        >>> EnvSetting("STUDIO_X", "int", 5, "x", minimum=2).parse("1")
        2
        >>> EnvSetting("STUDIO_X", "flag", True, "x").parse("0")
        False
        """
        if raw is None or not raw.strip():
            return self.default
        raw = raw.strip()
        if self.kind == "flag":
            return raw != "0"
        if self.kind in ("str", "path"):
            return raw
        try:
            number = int(raw) if self.kind == "int" else float(raw)
        except ValueError:
            log.warning("%s=%r is not a number; using %s", self.name, raw, self.default)
            return self.default
        return max(self.minimum, number) if self.minimum is not None else number


SETTINGS: tuple[EnvSetting, ...] = (
    EnvSetting("STUDIO_DATA_DIR", "path", "data", "Where workspaces, models and job folders live."),
    EnvSetting("STUDIO_LANG", "str", "", "The UI's language when neither the URL nor the browser says (`en` or `zh`)."),
    EnvSetting("STUDIO_MAX_ROWS", "int", 300_000, "Most rows of a data set (more need consent to a stratified sample).",
               minimum=2),
    EnvSetting("STUDIO_MAX_FILE_MB", "int", UPLOAD_MB, "Largest data file `core` reads (MB); the app's uploads stop at "
               "`.streamlit/config.toml`'s `maxUploadSize`."),
    EnvSetting("STUDIO_MAX_BUNDLE_MB", "int", UPLOAD_MB, "Largest model bundle (.zip) an upload may be (MB)."),
    EnvSetting("STUDIO_MAX_MODELS", "int", 50, "Most models a workspace keeps."),
    EnvSetting("STUDIO_MAX_WORKSPACE_MB", "int", 2000, "Most disk a workspace's models take (MB)."),
    EnvSetting("STUDIO_MEMORY_LIMIT_MB", "float", None, "Caps the memory a run may count on (MB); unset: what the "
               "system has free."),
    EnvSetting("STUDIO_FENCE", "flag", True, "`0` parses uploads in the app's own process (no memory or time limit)."),
    EnvSetting("STUDIO_PARSE_MEMORY_MB", "int", 1536, "Most memory one parse of a user's file may add (MB).",
               minimum=64),
    EnvSetting("STUDIO_PARSE_SECONDS", "int", 60, "Longest one parse of a user's file may take (s).", minimum=1),
    EnvSetting("STUDIO_VECTORS_DIR", "path", None, "A folder of pretrained word-vector files the Train page offers."),
    EnvSetting("STUDIO_RAY_ADDRESS", "str", None, "Train and predict big files on Ray: `local`, `auto` or "
               "`ray://head:10001`; unset: no Ray."),
    EnvSetting("STUDIO_RAY_BATCH_ROWS", "int", 100_000, "Files of at least this many texts are predicted on Ray.",
               minimum=1),
    EnvSetting("STUDIO_API_KEY", "str", None, "The prediction service wants `Authorization: Bearer <key>` when set."),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}


def value(name: str):
    """The current value of the deployment setting ``name`` (parsed by its type).

    Raises
    ------
    KeyError
        For a name that is no setting (a typo must not pass unnoticed).

    Examples
    --------
    >>> value("STUDIO_MAX_MODELS") >= 1
    True
    """
    return BY_NAME[name].parse(os.environ.get(name))


def markdown_table() -> str:
    """The README's table of every setting (name, default, meaning)."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for setting in SETTINGS:
        default = "—" if setting.default in (None, "") else (
            "on" if setting.default is True else f"{setting.default:,}" if isinstance(setting.default, int)
            else str(setting.default))
        lines.append(f"| `{setting.name}` | {default} | {setting.meaning} |")
    return "\n".join(lines)
