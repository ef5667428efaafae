"""The terminal that runs ``streamlit run app.py`` shows no TensorFlow start-up lines (issue 17)."""

import os
import subprocess
import sys

from core.base.quiet import TF_LINE
from tests.conftest import ROOT


def _stderr_of(code: str) -> list[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("TF_CPP_MIN_LOG_LEVEL", "CORE_DEBUG")}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr.splitlines()


def test_tensorflow_imports_without_its_start_up_lines_but_other_output_stays():
    plain = _stderr_of("import os; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'; import tensorflow")
    assert any(TF_LINE.match(line) for line in plain)     # what the app's terminal showed, even at level 3
    quiet = _stderr_of("import sys; from core.base.quiet import import_tensorflow; "
                       "print('before', file=sys.stderr); tf = import_tensorflow(); "
                       "print('after', tf.__name__, file=sys.stderr); import_tensorflow()")
    assert not [line for line in quiet if TF_LINE.match(line)], quiet
    assert quiet[0] == "before" and quiet[-1] == "after tensorflow"
