"""The house's contracts, checked on every run: the linter (ruff) is clean, the import layers
and the absence of import loops hold (import-linter, ``.importlinter``), every ``STUDIO_*``
variable is read through ``core.base.deployment`` and listed in the README from it, and the one
upload limit is the same in ``.streamlit/config.toml``."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from core.base.deployment import BY_NAME, UPLOAD_MB, markdown_table
from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: pip install -r requirements.txt")
    return str(found)


def test_ruff_is_clean():
    done = subprocess.run([_tool("ruff"), "check", "--output-format", "concise", "."], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_import_contracts_hold():
    """core never imports the UI; no import loop among core's (or ui's) modules."""
    done = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_studio_variables_are_read_through_the_registry_only():
    reads = re.compile(r"""(environ\.get|getenv|environ\[)\(?\s*["']STUDIO_""")
    offenders = [f"{path.relative_to(ROOT)}:{number}" for folder in ("core", "ui", "pages")
                 for path in (ROOT / folder).rglob("*.py") if path.name != "deployment.py"
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if reads.search(line)]
    offenders += [f"app.py:{n}" for n, line in enumerate((ROOT / "app.py").read_text().splitlines(), 1)
                  if reads.search(line)]
    assert offenders == [], "read STUDIO_* through core.base.deployment.value: " + ", ".join(offenders)
    # Every STUDIO_* name the code mentions is a registered one (a typo is no setting).
    named = {name for folder in ("core", "ui", "pages") for path in (ROOT / folder).rglob("*.py")
             for name in re.findall(r"\bSTUDIO_[A-Z_]+[A-Z]\b", path.read_text(encoding="utf-8"))}
    assert named <= set(BY_NAME), sorted(named - set(BY_NAME))


def test_the_readme_lists_every_setting_from_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- settings:begin -->\n", 1)[1].split("\n<!-- settings:end -->", 1)[0]
    assert table == markdown_table(), "regenerate the README's table: python -c 'from core.base.deployment import " \
                                      "markdown_table; print(markdown_table())'"


def test_the_upload_limit_is_one_number():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == UPLOAD_MB
    assert BY_NAME["STUDIO_MAX_FILE_MB"].default == BY_NAME["STUDIO_MAX_BUNDLE_MB"].default == UPLOAD_MB


def test_mypy_is_clean_on_core():
    done = subprocess.run([_tool("mypy"), "core"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
