"""The model store: each workspace's trained bundles on disk, indexed in SQLite.

Layout under the data directory (default ``./data``, or ``$STUDIO_DATA_DIR``)::

    index.sqlite                                   the models index (WAL mode)
    workspaces/<workspace>/models/<model_id>/bundle/...      the model bundle (core.models.bundle)
    workspaces/<workspace>/models/<model_id>/model.json      name, creation time, data set
    workspaces/<workspace>/models/<model_id>/test_split.csv  the test rows held out at training

A workspace is a random, unguessable id (in the app: the ``?ws=`` of the URL); a store opened
for one workspace lists, loads and changes only that workspace's models. The test split is
kept beside the bundle, not in it, so a downloaded bundle carries no user data.

Saving is atomic: a model is written completely into a hidden staging folder, renamed into
place, then indexed. A crash leaves at worst a hidden folder (removed by :meth:`repair`) or an
unindexed complete model (indexed by :meth:`repair`); never a broken model in the list.

A full disk or a data directory that cannot be written is a :class:`UserError` that says so
(``err.disk_full``, ``err.store_not_writable``), never a traceback; models already loaded keep
working. Training runs cut short by a server crash are recorded (table ``interrupted``, see
``core.training.jobs.recover``) so the user is told, once, what happened and what was kept.
"""

from __future__ import annotations

import builtins
import datetime as _dt
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
import time
import uuid
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import psutil

from core.base.deployment import value
from core.base.errors import UserError
from core.base.files import recover, write_bytes
from core.data.current import CurrentData, UnlabelledTexts
from core.models.bundle import JSON_FILES, MODEL_FILES, Bundle
from core.models.evaluate import save_decision
from core.models.package import import_bundle, unpacked_bytes

_READY: set[str] = set()            # index files whose table and WAL mode are set up
LOCAL_WORKSPACE = "local-workspace"   # the CLI's and tests' workspace when none is given
_WORKSPACE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_MODEL_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
SCHEMA = """
CREATE TABLE IF NOT EXISTS models (
    workspace TEXT NOT NULL, model_id TEXT NOT NULL, name TEXT NOT NULL, created TEXT NOT NULL,
    dataset TEXT NOT NULL, fingerprint TEXT NOT NULL DEFAULT '', rows INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0, is_default INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace, model_id));
CREATE TABLE IF NOT EXISTS workspaces (
    workspace TEXT NOT NULL PRIMARY KEY, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS interrupted (
    workspace TEXT NOT NULL, job_id TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL, happened TEXT NOT NULL,
    epoch INTEGER NOT NULL DEFAULT 0, epochs INTEGER NOT NULL DEFAULT 0, model_id TEXT, kept_epoch INTEGER,
    seen INTEGER NOT NULL DEFAULT 0);
"""
_FULL = {errno.ENOSPC, errno.EDQUOT}


@contextmanager
def storage_errors(path):
    """Turn a full disk or an unwritable data directory into a :class:`UserError` that names
    ``path`` and says what to do (the original error stays chained for the server log)."""
    try:
        yield
    except sqlite3.OperationalError as error:
        full = "full" in str(error).lower()
        raise UserError("err.disk_full" if full else "err.store_not_writable", path=str(path),
                        reason=str(error)) from error
    except OSError as error:
        if error.errno in _FULL:
            raise UserError("err.disk_full", path=str(path), reason=error.strerror or str(error)) from error
        raise UserError("err.store_not_writable", path=str(path), reason=error.strerror or str(error)) from error


def data_dir() -> Path:
    """The app's data directory: ``$STUDIO_DATA_DIR`` or ``./data``."""
    return Path(value("STUDIO_DATA_DIR"))


def max_models() -> int:
    """Most models a workspace keeps: ``$STUDIO_MAX_MODELS`` or 50."""
    return value("STUDIO_MAX_MODELS")


def max_workspace_mb() -> int:
    """Most disk a workspace's models may use, in MB: ``$STUDIO_MAX_WORKSPACE_MB`` or 2,000."""
    return value("STUDIO_MAX_WORKSPACE_MB")


def new_workspace_id(root=None) -> str:
    """A fresh random workspace id (128 bits, URL-safe), recorded as issued by this server
    (only issued ids open a workspace, see :func:`known_workspace`)."""
    workspace = secrets.token_urlsafe(16)
    ModelStore(root, workspace)._register()
    return workspace


def valid_workspace(workspace) -> bool:
    """Whether ``workspace`` looks like a workspace id (so it can be a folder name safely)."""
    return isinstance(workspace, str) and bool(_WORKSPACE.match(workspace))


def known_workspace(workspace, root=None) -> bool:
    """Whether ``workspace`` was issued by this server: a valid id recorded in the index (or,
    for workspaces made before ids were recorded, one with a folder on the disk). Any other id,
    however well formed (``?ws=aaaaaaaa``), opens nothing: the app starts a new workspace."""
    if not valid_workspace(workspace):
        return False
    store = ModelStore(root, workspace)
    try:
        with storage_errors(store.root), closing(store._connect()) as connection:
            if connection.execute("SELECT 1 FROM workspaces WHERE workspace = ?", (workspace,)).fetchone():
                return True
    except UserError:
        pass
    return (store.root / "workspaces" / workspace).is_dir()


def fingerprint(texts, labels) -> str:
    """A short, stable fingerprint of a labelled data set (same rows → same fingerprint)."""
    digest = hashlib.sha256()
    for text, label in zip(texts, labels):
        digest.update(str(text).encode("utf-8", "replace") + b"\x1f" + str(label).encode("utf-8", "replace") + b"\x1e")
    return digest.hexdigest()[:16]


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


@dataclass
class ModelEntry:
    """What the models list shows about one stored model."""

    model_id: str
    name: str
    created: str
    dataset: str
    path: str
    fingerprint: str = ""
    rows: int = 0
    bytes: int = 0
    is_default: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    def trained_on(self, data_print: str) -> bool:
        """Whether this model was trained on the data whose :func:`fingerprint` is
        ``data_print`` (a model from before fingerprints were kept is taken to be).

        Examples
        --------
        >>> entry = ModelEntry("m", "m", "", "sms", "", fingerprint=fingerprint(["a"], ["x"]))
        >>> entry.trained_on(fingerprint(["a"], ["x"])), entry.trained_on(fingerprint(["b"], ["x"]))
        (True, False)
        """
        return not self.fingerprint or self.fingerprint == data_print


STAGING = ".staging-"
STALE_STAGING_SECONDS = 6 * 3600   # a staging folder this old is a leftover even if its pid lives again


def stale_staging(folder: Path, now: float | None = None) -> bool:
    """Whether the dot-folder ``folder`` under ``models/`` is a leftover: its owner (the pid in
    ``.staging-<pid>-…``) is no longer running, it is older than :data:`STALE_STAGING_SECONDS`
    (the pid may have been reused), or it names no owner (left by an older version). A worker
    still saving when a restarted app repairs the store keeps its folder."""
    match = re.match(rf"{re.escape(STAGING)}(\d+)-", folder.name)
    if match is None:
        return True
    try:
        age = (now or time.time()) - folder.stat().st_mtime
    except OSError:
        return False   # already gone
    return not psutil.pid_exists(int(match.group(1))) or age > STALE_STAGING_SECONDS


class ModelStore:
    """The stored bundles of one workspace under ``root``."""

    def __init__(self, root=None, workspace: str = LOCAL_WORKSPACE):
        if not valid_workspace(workspace):
            raise UserError("err.bad_workspace")
        self.root = Path(root) if root is not None else data_dir()
        self.workspace = workspace
        self.models = self.root / "workspaces" / workspace / "models"
        self.index = self.root / "index.sqlite"

    # -- the index ----------------------------------------------------------------------------

    def _register(self) -> None:
        """Record this workspace as issued (see :func:`known_workspace`)."""
        with storage_errors(self.root), closing(self._connect()) as connection, connection:
            connection.execute("INSERT OR IGNORE INTO workspaces (workspace, created) VALUES (?, ?)",
                               (self.workspace, _dt.datetime.now().isoformat(timespec="seconds")))

    def _connect(self) -> sqlite3.Connection:
        key = str(self.index.resolve()) if self.index.exists() else None
        if key not in _READY:  # WAL mode and the tables are set up once per index file and process
            with storage_errors(self.root):
                self.root.mkdir(parents=True, exist_ok=True)
                with closing(sqlite3.connect(self.index, timeout=30)) as connection, connection:
                    connection.execute("PRAGMA journal_mode=WAL")
                    connection.executescript(SCHEMA)
            _READY.add(str(self.index.resolve()))
        with storage_errors(self.root):
            connection = sqlite3.connect(self.index, timeout=30)
        connection.row_factory = sqlite3.Row
        return connection

    def check_writable(self) -> None:
        """Raise ``err.store_not_writable`` / ``err.disk_full`` unless a model can be saved now
        (the data directory can be created and written, and the index opened)."""
        with storage_errors(self.root):
            self.models.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.models, prefix=".probe-") as probe:
                probe.write(b"x" * 4096)
                probe.flush()
                os.fsync(probe.fileno())
        with storage_errors(self.root), closing(self._connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.rollback()

    def _entry(self, row) -> ModelEntry:
        return ModelEntry(row["model_id"], row["name"], row["created"], row["dataset"],
                          str(self.models / row["model_id"] / "bundle"), row["fingerprint"], row["rows"],
                          row["bytes"], bool(row["is_default"]))

    def list(self) -> list[ModelEntry]:
        """This workspace's models, oldest first."""
        with storage_errors(self.root), closing(self._connect()) as connection:
            rows = connection.execute("SELECT * FROM models WHERE workspace = ? ORDER BY created, model_id",
                                      (self.workspace,)).fetchall()
        return [self._entry(row) for row in rows]

    def entry(self, model_id: str) -> ModelEntry:
        """The entry of ``model_id`` in this workspace.

        Raises
        ------
        UserError
            If this workspace has no such model (another workspace's id is "no such model" too).
        """
        if not isinstance(model_id, str) or not _MODEL_ID.match(model_id):
            raise UserError("err.model_not_found", model_id=str(model_id)[:60])
        with storage_errors(self.root), closing(self._connect()) as connection:
            row = connection.execute("SELECT * FROM models WHERE workspace = ? AND model_id = ?",
                                     (self.workspace, model_id)).fetchone()
        if row is None:
            raise UserError("err.model_not_found", model_id=model_id)
        return self._entry(row)

    # -- adding ---------------------------------------------------------------------------------

    def check_room(self, extra_bytes: int = 0) -> None:
        """Raise :class:`UserError` when the workspace is at its model or disk limit, or the
        data directory cannot be written (see :meth:`check_writable`)."""
        self.check_writable()
        entries = self.list()
        if len(entries) >= max_models():
            raise UserError("err.store_full", n=len(entries), limit=max_models())
        used = sum(entry.bytes for entry in entries) + extra_bytes
        if used > max_workspace_mb() * 2**20:
            raise UserError("err.store_full_disk", mb=round(used / 2**20), limit=max_workspace_mb())

    def _new_id(self, name: str) -> str:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:40] or "model"
        return f"{stamp}-{slug}-{uuid.uuid4().hex[:6]}"

    def _place(self, model_id: str, staging: Path, name: str, dataset: str, rows: int, print_: str) -> ModelEntry:
        """Move a complete staged model folder into place, then index it."""
        created = _dt.datetime.now().isoformat(timespec="seconds")
        record = {"model_id": model_id, "name": name, "created": created, "dataset": dataset,
                  "fingerprint": print_, "rows": rows}
        (staging / "model.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        size = _folder_bytes(staging)
        os.replace(staging, self.models / model_id)
        with storage_errors(self.root), closing(self._connect()) as connection, connection:
            connection.execute("INSERT INTO models (workspace, model_id, name, created, dataset, fingerprint, rows, bytes)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               (self.workspace, model_id, name, created, dataset, print_, rows, size))
        return self.entry(model_id)

    def _staging(self) -> Path:
        """A new staging folder named after this process (``.staging-<pid>-…``), so that
        :meth:`repair` in another process can tell a live save from a crash's leftover."""
        self.models.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{STAGING}{os.getpid()}-", dir=self.models))

    def add(self, bundle: Bundle, name: str, dataset: str, test_texts=(), test_labels=(),
            data_fingerprint: str = "") -> ModelEntry:
        """Save ``bundle`` (with its held-out test rows) under a new id and index it.

        Raises
        ------
        UserError
            If the workspace is full (see :meth:`check_room`).
        """
        self.check_room()
        model_id = self._new_id(name)
        with storage_errors(self.root):
            staging = self._staging()
            try:
                bundle.save(staging / "bundle")
                pd.DataFrame({"text": list(test_texts), "label": list(test_labels)}).to_csv(
                    staging / "test_split.csv", index=False)
                rows = bundle.info.data.rows
                return self._place(model_id, staging, name, dataset, rows, data_fingerprint)
            finally:
                shutil.rmtree(staging, ignore_errors=True)

    def replace(self, model_id: str, bundle: Bundle, test_texts=(), test_labels=()) -> ModelEntry:
        """Put ``bundle`` (with its held-out test rows) in place of model ``model_id``, keeping its
        id, name and data: Automatic's early linear model becomes the run's final model. The
        bundle and the test rows are each written atomically; a session holding the old bundle
        keeps it until it loads the model again.

        Raises
        ------
        UserError
            If there is no such model, or the workspace is full.
        """
        entry = self.entry(model_id)
        self.check_room()
        with storage_errors(self.root):
            bundle.save(entry.path)
            frame = pd.DataFrame({"text": list(test_texts), "label": list(test_labels)})
            write_bytes(Path(entry.path).parent / "test_split.csv", frame.to_csv(index=False).encode("utf-8"))
            size = _folder_bytes(Path(entry.path).parent)
        with storage_errors(self.root), closing(self._connect()) as connection, connection:
            connection.execute("UPDATE models SET rows = ?, bytes = ? WHERE workspace = ? AND model_id = ?",
                               (bundle.info.data.rows, size, self.workspace, model_id))
        return self.entry(model_id)

    def import_zip(self, data: bytes, name: str) -> ModelEntry:
        """Add an uploaded bundle zip (checked, unpacked and trial-loaded in a fenced child
        process by :func:`core.models.package.import_bundle`)."""
        self.check_room(max(len(data), unpacked_bytes(data)))   # the quota counts what it unpacks to
        model_id = self._new_id(name)
        with storage_errors(self.root):
            staging = self._staging()
            try:
                rows = import_bundle(data, staging / "bundle")["rows"]
                return self._place(model_id, staging, name, "upload", rows, "")
            finally:
                shutil.rmtree(staging, ignore_errors=True)

    # -- reading and changing ---------------------------------------------------------------

    def load(self, model_id: str) -> Bundle:
        return Bundle.load(self.entry(model_id).path)

    def test_split(self, model_id: str) -> pd.DataFrame:
        path = Path(self.entry(model_id).path).parent / "test_split.csv"
        return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame(columns=["text", "label"])

    def rename(self, model_id: str, name: str) -> ModelEntry:
        name = " ".join(str(name).split())[:60]
        if not name:
            raise UserError("err.empty_name")
        self.entry(model_id)
        with storage_errors(self.root), closing(self._connect()) as connection, connection:
            connection.execute("UPDATE models SET name = ? WHERE workspace = ? AND model_id = ?",
                               (name, self.workspace, model_id))
        return self.entry(model_id)

    def set_default(self, model_id: str) -> ModelEntry:
        """Make ``model_id`` the workspace's model for prediction (one at most)."""
        self.entry(model_id)
        with storage_errors(self.root), closing(self._connect()) as connection, connection:
            connection.execute("UPDATE models SET is_default = (model_id = ?) WHERE workspace = ?",
                               (model_id, self.workspace))
        return self.entry(model_id)

    def save_decision(self, model_id: str, positive: str | None, threshold: float | None = None) -> Bundle:
        """Save a decision threshold with the model (``positive=None`` removes it) and recompute
        its test metrics on its stored test split (:func:`core.models.evaluate.save_decision`), so every
        page shows the figures of the rule its predictions now use. The bundle is read from the
        disk and written back whole (:meth:`Bundle.save`): bundles that sessions have open are
        never changed. Returns the saved bundle.

        Raises
        ------
        UserError
            As :meth:`Bundle.set_decision` (not two classes, no such class, a threshold outside
            0–1), or when the bundle cannot be written.
        """
        entry = self.entry(model_id)
        bundle = Bundle.load(entry.path)
        split = self.test_split(model_id)
        save_decision(bundle, positive, threshold, split["text"].tolist(), split["label"].tolist())
        with storage_errors(self.root):
            bundle.save(entry.path)
        return bundle

    def current_data(self):
        """The workspace's current data set on disk (:class:`core.data.current.CurrentData`)."""
        return CurrentData(self.root / "workspaces" / self.workspace / "current")

    def unlabelled_texts(self):
        """The workspace's file of unlabelled texts on disk (:class:`core.data.current.UnlabelledTexts`)."""
        return UnlabelledTexts(self.root / "workspaces" / self.workspace / "current")

    def vectors_cache(self) -> Path:
        """Where the workspace keeps word vectors learned from its texts (:func:`core.models.vectors.vectors_for`)."""
        return self.root / "workspaces" / self.workspace / "vectors"

    def default(self) -> ModelEntry | None:
        return next((entry for entry in self.list() if entry.is_default), None)

    def delete(self, model_id: str) -> None:
        """Remove a model: out of the index first (it vanishes at once), then off the disk."""
        self.entry(model_id)
        with storage_errors(self.root), closing(self._connect()) as connection, connection:
            connection.execute("DELETE FROM models WHERE workspace = ? AND model_id = ?", (self.workspace, model_id))
        shutil.rmtree(self.models / model_id, ignore_errors=True)

    # -- keeping the index and the disk in agreement ------------------------------------------

    def repair(self) -> dict:
        """Make the index agree with the disk, for every workspace under ``root``: index
        complete model folders it lacks, drop entries whose folder is gone or broken, remove
        staging folders left by a crash (never one that a live process is still writing, see
        :func:`stale_staging`). Returns the counts of each."""
        added = dropped = cleaned = 0
        base = self.root / "workspaces"
        with storage_errors(self.root):
            # A bundle a crash left half replaced (e.g. while a threshold was saved) goes back whole first.
            for folder in base.glob("*/models/*") if base.exists() else []:
                if not folder.name.startswith(".") and folder.is_dir():
                    recover(folder / "bundle")
        with storage_errors(self.root), closing(self._connect()) as connection, connection:
            known = {(row["workspace"], row["model_id"]) for row in connection.execute("SELECT workspace, model_id FROM models")}
            for workspace, model_id in known:
                folder = base / workspace / "models" / model_id
                if not _complete(folder):
                    connection.execute("DELETE FROM models WHERE workspace = ? AND model_id = ?", (workspace, model_id))
                    dropped += 1
            # Workspaces made before ids were recorded are the ones with a folder: recorded now.
            connection.executemany("INSERT OR IGNORE INTO workspaces (workspace, created) VALUES (?, '')",
                                   [(folder.name,) for folder in (base.iterdir() if base.exists() else [])
                                    if folder.is_dir() and valid_workspace(folder.name)])
            for folder in base.glob("*/models/*") if base.exists() else []:
                workspace, model_id = folder.parts[-3], folder.name
                if folder.name.startswith("."):
                    if stale_staging(folder):
                        shutil.rmtree(folder, ignore_errors=True)
                        cleaned += 1
                elif (workspace, model_id) not in known and _complete(folder) and valid_workspace(workspace):
                    record = json.loads((folder / "model.json").read_text(encoding="utf-8"))
                    connection.execute(
                        "INSERT OR IGNORE INTO models (workspace, model_id, name, created, dataset, fingerprint, rows,"
                        " bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (workspace, model_id, str(record.get("name", model_id)), str(record.get("created", "")),
                         str(record.get("dataset", "")), str(record.get("fingerprint", "")), int(record.get("rows", 0)),
                         _folder_bytes(folder)))
                    added += 1
        return {"added": added, "dropped": dropped, "cleaned": cleaned}


    # -- runs cut short by a crash ---------------------------------------------------------------

    def record_interrupted(self, job_id: str, name: str, epoch: int, epochs: int, model_id: str | None,
                           kept_epoch: int | None) -> None:
        """Remember that this workspace's run ``job_id`` ended with the server (see
        ``core.training.jobs.recover``); ``model_id`` is what was kept, if anything."""
        happened = _dt.datetime.now().isoformat(timespec="seconds")
        with storage_errors(self.root), closing(self._connect()) as connection, connection:
            connection.execute("INSERT OR REPLACE INTO interrupted (workspace, job_id, name, happened, epoch, epochs,"
                               " model_id, kept_epoch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               (self.workspace, job_id, name, happened, epoch, epochs, model_id, kept_epoch))

    def interrupted(self) -> builtins.list[dict]:   # builtins: this class has a method called list
        """This workspace's interrupted runs the user has not dismissed, newest first."""
        with storage_errors(self.root), closing(self._connect()) as connection:
            rows = connection.execute("SELECT * FROM interrupted WHERE workspace = ? AND seen = 0"
                                      " ORDER BY happened DESC", (self.workspace,)).fetchall()
        return [dict(row) for row in rows]

    def dismiss_interrupted(self, job_id: str) -> None:
        """The user has read the notice of ``job_id``: do not show it again."""
        with storage_errors(self.root), closing(self._connect()) as connection, connection:
            connection.execute("UPDATE interrupted SET seen = 1 WHERE workspace = ? AND job_id = ?",
                               (self.workspace, job_id))


def _complete(folder: Path) -> bool:
    """Whether ``folder`` holds a whole stored model (its record and every bundle file)."""
    bundle = folder / "bundle"
    return ((folder / "model.json").is_file() and all((bundle / name).is_file() for name in JSON_FILES)
            and any((bundle / name).is_file() for name in MODEL_FILES))
