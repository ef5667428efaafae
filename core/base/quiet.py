"""Importing TensorFlow without its C++ start-up lines on the server's terminal.

TensorFlow's first import writes lines such as "oneDNN custom operations are on" and "Could not
find cuda drivers on your machine" straight to file descriptor 2, before any log level applies
(``TF_CPP_MIN_LOG_LEVEL`` hides later ones). Someone who started the app with ``streamlit run
app.py`` sees them as errors. :func:`import_tensorflow` sends descriptor 2 to a temporary file
for the import only, then writes back whatever else arrived meanwhile (another thread's log
line), so only TensorFlow's start-up chatter is dropped. ``CORE_DEBUG=1`` keeps everything.
(The command line, ``core.cli``, keeps descriptor 2 off the terminal for its whole run.)
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading

# absl/TensorFlow C++ log lines ("I0000 00:00:… port.cc:153] …"), absl's preamble, and the CPU
# feature note that continues on a second line.
TF_LINE = re.compile(r"^([IWEF]\d{4} \d\d:\d\d:[\d.]+\s+\d+ \S+:\d+\]|WARNING: All log messages before absl|"
                     r"To enable the following instructions:)")
_LOCK = threading.Lock()
_DONE = False


def import_tensorflow():
    """Import TensorFlow (once per process) with its start-up lines kept off descriptor 2;
    returns the module."""
    global _DONE
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _LOCK:
        if _DONE or "tensorflow" in sys.modules or os.environ.get("CORE_DEBUG"):
            _DONE = True
            # lazy: TensorFlow takes ~5 s to load: only the network path pays for it
            import tensorflow

            return tensorflow
        _DONE = True
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no real descriptor 2 (an embedding host): import as is
            # lazy: TensorFlow takes ~5 s to load: only the network path pays for it
            import tensorflow

            return tensorflow
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 2)
            try:
                # lazy: TensorFlow takes ~5 s to load: only the network path pays for it
                import tensorflow
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
                os.close(saved)
            captured.seek(0)
            others = [line for line in captured.read().decode("utf-8", "replace").splitlines(keepends=True)
                      if not TF_LINE.match(line)]
        if others:
            sys.stderr.write("".join(others))
            sys.stderr.flush()
        return tensorflow


def tensorflow_imported() -> bool:
    """Whether :func:`import_tensorflow` has finished in this process."""
    return _DONE and not _LOCK.locked()


_SOON: threading.Thread | None = None
_SOON_LOCK = threading.Lock()      # not _LOCK: the import holds that one for its whole length


def import_tensorflow_soon(delay: float = 2.0) -> threading.Thread:
    """Start :func:`import_tensorflow` in a background thread ``delay`` seconds from now (once
    per process) and return at once: the app's first page is drawn and sent while TensorFlow
    waits (a blank page for 10–17 s on a busy 2-core machine before; an import at once still
    slowed the first page by a second, sharing the interpreter with it). Code that needs
    TensorFlow imports it as usual; Python's import lock makes it wait for an import under way."""
    global _SOON
    with _SOON_LOCK:
        if _SOON is None:
            _SOON = threading.Timer(delay, import_tensorflow)
            _SOON.name, _SOON.daemon = "import-tensorflow", True
            _SOON.start()
        return _SOON
