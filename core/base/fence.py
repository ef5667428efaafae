"""Parsing untrusted bytes inside a fence: a child process with a memory and a time limit.

Browsers parse web pages in a sandboxed renderer process; we parse what users upload (data files
of every format, unlabelled texts, prediction files, word-vector files, bundle zips) the same
way. :func:`fenced` runs one named task in a child process forked from a small *fork server*
(``multiprocessing``'s "forkserver", which imports pandas, openpyxl and the readers once, so a
task costs ~15 ms to start, not the ~1 s of a fresh interpreter). The child

* limits its own address space (``RLIMIT_AS``) to what it holds after its imports plus
  :func:`memory_mb` (``STUDIO_PARSE_MEMORY_MB``, default 1,536 MB), so a file that unpacks or
  parses into more memory gets a ``MemoryError`` in the child, never in the server;
* is killed after :func:`time_limit` (``STUDIO_PARSE_SECONDS``, default 60 s);
* answers through a pipe with a JSON header and raw byte blobs (Arrow, ``.npy``), never pickle:
  what comes back from a parse of a user's bytes is data, not objects.

A limit hit becomes a :class:`UserError` the page shows (``err.parse_memory``,
``err.parse_time``); the server process keeps answering every other user. ``STUDIO_FENCE=0``
turns the fence off (the parse then runs in the calling process: only for debugging).
"""

from __future__ import annotations

import ctypes
import importlib
import io
import json
import multiprocessing
import multiprocessing.context
import os
import resource
import threading
import time
from multiprocessing import context, forkserver, popen_forkserver, spawn, util

from core.base.deployment import BY_NAME, value
from core.base.errors import UserError

DEFAULT_MEMORY_MB = BY_NAME["STUDIO_PARSE_MEMORY_MB"].default
DEFAULT_SECONDS = BY_NAME["STUDIO_PARSE_SECONDS"].default
# What the fork server imports once; every task's child starts with these already loaded.
PRELOAD = ["numpy", "pandas", "pyarrow", "openpyxl", "xlrd", "ijson", "charset_normalizer", "core.data.reading",
           "core.base.wire", "core.models.vectors", "core.models.package"]
# Tasks by name (a child runs only these): name -> "module:function". Each function takes plain
# arguments and returns ``(meta, blobs)``: a JSON-able dict and a list of bytes.
TASKS = {
    "table": "core.data.reading:fenced_table",
    "vectors_coverage": "core.models.vectors:fenced_coverage",
    "bundle": "core.models.package:fenced_unpack",
}
_M_ARENA_MAX = -8   # glibc mallopt: each thread's malloc arena reserves 64 MB of address space

_lock = threading.Lock()
_context = None
_extra_bytes = None   # in a fenced child: what its memory limit allows above its imports
_last = threading.local()


def last_run() -> dict:
    """What the calling thread's last fenced task cost: ``{"task", "seconds", "child_peak_mb"}``
    (the child's peak resident memory above its start), for benchmarks and logs."""
    return dict(getattr(_last, "run", {}))


def memory_mb() -> int:
    """How much a parse may grow its process, in MB (``STUDIO_PARSE_MEMORY_MB``, default 1,536)."""
    return value("STUDIO_PARSE_MEMORY_MB")


def time_limit() -> int:
    """How long a parse may take, in seconds (``STUDIO_PARSE_SECONDS``, default 60)."""
    return value("STUDIO_PARSE_SECONDS")


def enabled() -> bool:
    """Whether parses run fenced (``STUDIO_FENCE`` is not ``0``)."""
    return value("STUDIO_FENCE")


def fenced(task: str, *args, imports: tuple = (), seconds: int | None = None) -> tuple[dict, list[bytes]]:
    """Run the task ``task`` (see :data:`TASKS`) on ``args`` in a fenced child process.

    ``imports`` are modules the child imports before its memory limit is set (TensorFlow for a
    bundle: importing it is not the parse); ``seconds`` replaces the time limit (an
    administrator's own files). Returns the task's ``(meta, blobs)``.

    Raises
    ------
    UserError
        The task's own error; ``err.parse_memory`` when it needed more memory than allowed (or
        the child died), ``err.parse_time`` when it ran out of time.

    Examples
    --------
    >>> meta, blobs = fenced("table", b"text,label\\nhi,a\\n", "x.csv", None, None)
    >>> meta["kind"], meta["rows"]
    ('csv', 1)
    """
    if not enabled():
        return _run(task, args)
    context = _fork_server()
    receive, send = context.Pipe(duplex=False)
    environment = {name: value for name, value in os.environ.items() if name.startswith("STUDIO_")}
    child = _FencedProcess(target=_child, args=(send, task, args, environment, memory_mb() * 2**20, imports),
                            daemon=True, name=f"studio-fence-{task}")
    child.start()
    send.close()
    allowed = seconds or time_limit()
    started = time.monotonic()
    deadline = started + allowed
    _last.run = {"task": task, "seconds": None, "child_peak_mb": None}
    try:
        header = json.loads(_receive(receive, deadline))
        _last.run = {"task": task, "seconds": round(time.monotonic() - started, 3),
                     "child_peak_mb": header.get("peak_mb")}
        blobs = [_receive(receive, deadline) for _ in range(header.get("blobs", 0))]
    except EOFError:   # the child died without answering: out of memory in C code, or killed
        child.join(5)
        raise UserError("err.parse_memory", mb=memory_mb()) from None
    except TimeoutError:
        raise UserError("err.parse_time", seconds=allowed) from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if "error" in header:
        raise UserError(header["error"], **header.get("params", {}))
    return header["meta"], blobs


def _receive(connection, deadline: float) -> bytes:
    if not connection.poll(max(0.0, deadline - time.monotonic())):
        raise TimeoutError
    return connection.recv_bytes()


def _fork_server():
    """The "forkserver" context, its preloads set once (the server starts at the first task)."""
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _context = context
        return _context


class _Popen(popen_forkserver.Popen):
    """The fork server's launch (CPython 3.11's ``popen_forkserver.Popen._launch``) without the
    parent's main module: multiprocessing would run the script that started the parent again in
    every child (Streamlit's command-line entry, or a user's script that starts a parse at import
    and so could never finish), while a fenced task needs only :mod:`core`."""

    def _launch(self, process_obj):
        preparation = spawn.get_preparation_data(process_obj._name)
        preparation.pop("init_main_from_name", None)
        preparation.pop("init_main_from_path", None)
        buffer = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            context.reduction.dump(preparation, buffer)
            context.reduction.dump(process_obj, buffer)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, write = forkserver.connect_to_new_process(self._fds)
        parent_write = os.dup(write)   # the child's sentinel of this parent, as in the standard library
        self.finalizer = util.Finalize(self, util.close_fds, (parent_write, self.sentinel))
        with open(write, "wb", closefd=True) as stream:
            stream.write(buffer.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _FencedProcess(multiprocessing.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


def _run(task: str, args) -> tuple[dict, list[bytes]]:
    module, name = TASKS[task].split(":")
    return getattr(importlib.import_module(module), name)(*args)


def import_unfenced(modules) -> None:
    """In a fenced child: import ``modules`` with the memory limit lifted, then set it again
    above what the imports mapped (TensorFlow alone maps ~1.5 GB; importing it is not the parse).
    Outside a child, a plain import."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if _extra_bytes is None or soft == resource.RLIM_INFINITY:
        for module in modules:
            importlib.import_module(module)
        return
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    for module in modules:
        importlib.import_module(module)
    _limit_memory(_extra_bytes)


def _limit_memory(extra_bytes: int) -> None:
    """Cap this process's address space at what it maps now plus ``extra_bytes`` (the hard
    limit stays, so :func:`import_unfenced` can lift it for an import)."""
    global _extra_bytes
    _extra_bytes = extra_bytes
    try:
        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, 2)
    except (OSError, AttributeError):   # not glibc: arenas stay as they are
        pass
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    soft = mapped + extra_bytes if hard == resource.RLIM_INFINITY else min(hard, mapped + extra_bytes)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _resident_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() // 1024


def _child(connection, task: str, args, environment: dict, extra_bytes: int, imports) -> None:
    """The fenced child: the caller's ``STUDIO_*`` settings, the imports, the limit, the task."""
    for name in [name for name in os.environ if name.startswith("STUDIO_")]:
        del os.environ[name]
    os.environ.update(environment)
    for module in imports:
        importlib.import_module(module)
    _limit_memory(extra_bytes)
    start_kb = _resident_kb()
    try:
        meta, blobs = _run(task, args)
        header = {"meta": meta, "blobs": len(blobs)}
    except UserError as error:
        header, blobs = {"error": error.key, "params": error.params}, []
    except MemoryError:
        header, blobs = {"error": "err.parse_memory", "params": {"mb": extra_bytes // 2**20}}, []
    except RecursionError:
        header, blobs = {"error": "err.unreadable", "params": {"name": "the file", "detail": "nested too deeply"}}, []
    except Exception as error:   # a reader's own bug on odd bytes: a message, and the server goes on
        detail = f"{type(error).__name__}: {error}".splitlines()[0][:200]
        header, blobs = {"error": "err.unreadable", "params": {"name": "the file", "detail": detail}}, []
    header["peak_mb"] = round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start_kb) / 1024, 1)
    try:
        connection.send_bytes(json.dumps(header, default=str).encode("utf-8"))
        for blob in blobs:
            connection.send_bytes(blob)
    except MemoryError:
        os._exit(3)   # the parent reads the closed pipe as "out of memory"
    finally:
        connection.close()
