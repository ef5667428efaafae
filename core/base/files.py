"""Replacing a folder or a file so that a crash at any moment leaves the old or the new one whole.

Deleting the old folder and then renaming the new one into place loses both if the process dies
between the two steps. :func:`replace_dir` instead writes nothing into ``target`` itself:

1. the new version is complete in a staging folder beside the target (:func:`staging_dir`);
2. the old target is renamed aside (``.<name>.old-…``);
3. the staging folder is renamed to the target;
4. the old one is removed.

Each rename is atomic on one file system. A crash after step 2 leaves no target but the old
version aside and the new one staged, both whole; :func:`recover` (called by whoever reads the
target after a restart: the model store's repair, a checkpoint's reader, ``Bundle.load``) puts
the old one back. Leftover staging and aside folders of a target that exists are removed.

``tests/core/test_files.py`` kills a process at every step and checks exactly this.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from core.base.errors import UserError

NEW = ".new-"
OLD = ".old-"
# Tests set this to a function called with each step's name, to stop a process there.
_STEP_HOOK = None


def _step(name: str) -> None:
    if _STEP_HOOK is not None:
        _STEP_HOOK(name)


def staging_dir(target) -> Path:
    """A new empty folder beside ``target`` to build its next version in."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}{NEW}", dir=target.parent))


@contextmanager
def staged(target):
    """Build the next version of the folder ``target`` in a staging folder beside it (yielded);
    when the block ends normally the staging folder replaces ``target`` (:func:`replace_dir`),
    when it raises the staging folder is removed and ``target`` is as it was. The one way this
    app stages, writes, replaces and cleans up (bundles, exports, uploads, cached vectors).

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "made"
    >>> with staged(target) as folder:
    ...     _ = (folder / "a.txt").write_text("a")
    >>> sorted(path.name for path in target.iterdir())
    ['a.txt']
    """
    staging = staging_dir(target)
    try:
        yield staging
        replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def replace_dir(staging, target) -> Path:
    """Put the complete folder ``staging`` at ``target``, replacing what is there (see the
    module's docstring for why a crash at any step loses nothing). Returns ``target``."""
    staging, target = Path(staging), Path(target)
    _step("staged")
    aside = None
    if target.exists():
        aside = Path(tempfile.mkdtemp(prefix=f".{target.name}{OLD}", dir=target.parent))
        os.rmdir(aside)
        os.rename(target, aside)
        _step("old-aside")
    os.rename(staging, target)
    _step("new-in-place")
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
        _step("old-removed")
    _sync(target.parent)
    return target


def recover(target) -> bool:
    """Settle what a crash during :func:`replace_dir` of ``target`` left: when ``target`` is
    missing, its old version goes back in place (the newest one aside). Staging and aside
    folders are removed once ``target`` exists. Returns whether anything was put back."""
    target = Path(target)
    if not target.parent.is_dir():
        return False
    asides = sorted(target.parent.glob(f".{glob_escape(target.name)}{OLD}*"), key=lambda path: path.stat().st_mtime)
    restored = False
    if not target.exists() and asides:
        os.rename(asides.pop(), target)
        restored = True
    if target.exists():
        for leftover in [*asides, *target.parent.glob(f".{glob_escape(target.name)}{NEW}*")]:
            shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
    return restored


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters escaped."""
    return "".join(f"[{char}]" if char in "*?[" else char for char in name)


def write_json(path, value) -> None:
    """Write ``value`` as JSON to ``path`` atomically: a reader sees the old file or the new one,
    never half of one."""
    write_bytes(path, json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8"))


def write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file beside it, flushed, then renamed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}{NEW}", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _sync(folder: Path) -> None:
    """Make the renames in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def check_replaceable(target, own_files, what: str) -> None:
    """Refuse to write ``what`` (``"bundle"``, ``"savedmodel"``) over a folder that holds
    anything else: ``target`` may be missing, empty, or hold only ``own_files`` (names, or
    ``dir/`` for folders, of what it would replace). A user's ``notes.txt`` or ``src/`` is never
    deleted.

    Raises
    ------
    UserError
        ``err.out_not_empty_<what>`` naming the folder and one of the files found there, or
        ``err.out_not_folder`` for a file.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise UserError("err.out_not_folder", path=str(target))
    if not target.is_dir():
        return
    for entry in target.iterdir():
        name = entry.name + ("/" if entry.is_dir() else "")
        if name not in own_files:
            raise UserError(f"err.out_not_empty_{what}", path=str(target), found=entry.name)
