"""The data set a workspace is working on, kept on disk so a reloaded tab finds it again.

A browser reload starts a new Streamlit session with nothing in it; the workspace (``?ws=`` in
the address) is what comes back. So the file the user loaded last (its bytes, as uploaded), the
choices made for it on the Data page (:class:`core.data.dataset.DataChoices`) and the preprocessing
chosen for it are kept in the workspace's folder, and a new session reads the same file with
the same choices (:func:`core.data.dataset.read_with_choices`). Loading another file replaces them.
Nothing here is part of a model or of any download.

Layout (``<data dir>/workspaces/<workspace>/current/``)::

    source.bin      the file's bytes, as uploaded (or the bundled sample's)
    current.json    {"name", "sha256", "choices", "preprocess"}

Both are written atomically; ``current.json`` names the digest of ``source.bin``, so a crash
between the two writes leaves a record that does not match, which reads as "nothing kept".
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from core.data.dataset import DataChoices
from core.base.files import write_bytes, write_json

SOURCE = "source.bin"
RECORD = "current.json"


class CurrentData:
    """The kept data set of one workspace; create it with :meth:`core.store.ModelStore.current_data`."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def _record(self) -> dict:
        try:
            record = json.loads((self.folder / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return record if isinstance(record, dict) else {}

    def save_file(self, raw: bytes, name: str) -> None:
        """Keep ``raw`` as the workspace's data file ``name`` (nothing is written when it is
        the file already kept); the choices and preprocessing of the previous file are dropped."""
        digest = hashlib.sha256(raw).hexdigest()
        record = self._record()
        if record.get("sha256") == digest and record.get("name") == name:
            return
        write_bytes(self.folder / SOURCE, raw)
        write_json(self.folder / RECORD, {"name": name, "sha256": digest, "choices": None, "preprocess": None})

    def save_choices(self, choices: DataChoices | None = None, preprocess: dict | None = None,
                     labelling: dict | None = None) -> None:
        """Keep the Data page's ``choices``, the ``preprocess`` settings (a
        ``PreprocessConfig.to_dict()``) and/or the Label page's ``labelling`` (its batch and
        curve, plain JSON) of the kept file; ``None`` leaves that part as it is."""
        record = self._record()
        if not record:
            return
        changed = dict(record)
        if choices is not None:
            changed["choices"] = choices.to_dict()
        if preprocess is not None:
            changed["preprocess"] = preprocess
        if labelling is not None:
            changed["labelling"] = labelling
        if changed != record:
            write_json(self.folder / RECORD, changed)

    def load(self) -> dict | None:
        """``{"raw", "name", "choices", "preprocess", "labelling"}`` of the kept file, or ``None`` when there is
        none (or what is there does not belong together, e.g. after a crash mid-write).
        ``choices`` is a :class:`DataChoices` or ``None``, ``preprocess`` a dict or ``None``."""
        record = self._record()
        try:
            raw = (self.folder / SOURCE).read_bytes()
        except OSError:
            return None
        if not record or hashlib.sha256(raw).hexdigest() != record.get("sha256"):
            return None
        choices = record.get("choices")
        try:
            choices = DataChoices.from_dict(choices) if isinstance(choices, dict) else None
        except (TypeError, ValueError):
            choices = None
        preprocess = record.get("preprocess") if isinstance(record.get("preprocess"), dict) else None
        labelling = record.get("labelling") if isinstance(record.get("labelling"), dict) else None
        return {"raw": raw, "name": str(record.get("name") or "data.csv"), "choices": choices, "preprocess": preprocess,
                "labelling": labelling}


UNLABELLED_SOURCE = "unlabelled.bin"
UNLABELLED_RECORD = "unlabelled.json"


class UnlabelledTexts:
    """The workspace's file of unlabelled texts (issue 18), kept apart from the labelled file:
    loading another labelled file keeps it. Create it with
    :meth:`core.store.ModelStore.unlabelled_texts`.

    Layout (``<data dir>/workspaces/<workspace>/current/``): ``unlabelled.bin`` (the bytes as
    uploaded) and ``unlabelled.json`` (``{"name", "sha256"}``), both written atomically.
    """

    def __init__(self, folder):
        self.folder = Path(folder)

    def save(self, raw: bytes, name: str) -> None:
        """Keep ``raw`` (the file ``name``) as the workspace's unlabelled texts."""
        write_bytes(self.folder / UNLABELLED_SOURCE, raw)
        write_json(self.folder / UNLABELLED_RECORD, {"name": name, "sha256": hashlib.sha256(raw).hexdigest()})

    def remove(self) -> None:
        """Forget the workspace's unlabelled texts."""
        for name in (UNLABELLED_RECORD, UNLABELLED_SOURCE):
            (self.folder / name).unlink(missing_ok=True)

    def load(self) -> dict | None:
        """``{"raw", "name"}`` of the kept file, or ``None`` when there is none (or the two files
        do not belong together)."""
        try:
            record = json.loads((self.folder / UNLABELLED_RECORD).read_text(encoding="utf-8"))
            raw = (self.folder / UNLABELLED_SOURCE).read_bytes()
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or hashlib.sha256(raw).hexdigest() != record.get("sha256"):
            return None
        return {"raw": raw, "name": str(record.get("name") or "unlabelled.csv")}
