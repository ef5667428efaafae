"""The house's contracts, checked on every run: the linter (ruff) is clean, the import layers
and the absence of import loops hold (import-linter, ``.importlinter``), every ``STUDIO_*``
variable is read through ``core.base.deployment`` and listed in the README from it, and the one
upload limit is the same in ``.streamlit/config.toml``."""

import ast
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


def _python_files():
    """Every Python file of the house (core, ui, pages, app.py, bench) as ``(module name, path)``."""
    for folder in ("core", "ui", "pages", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path
    yield "app", ROOT / "app.py"


def _function_imports(tree):
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from (node for node in ast.walk(function) if isinstance(node, ast.Import | ast.ImportFrom))


def test_every_import_inside_a_function_says_why():
    """An import inside a function is there for a reason (TensorFlow off start-up, an optional
    package, a command that loads only what it needs), written beside it: on its line, or on the
    comment line above its run of import lines."""
    silent = []
    for _, path in _python_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in set(_function_imports(ast.parse("\n".join(lines)))):
            first = node.lineno - 1
            while first > 0 and lines[first - 1].strip().startswith(("import ", "from ")):
                first -= 1   # the run of import lines this one belongs to
            if "#" not in lines[node.lineno - 1] and not (first > 0 and lines[first - 1].strip().startswith("#")):
                silent.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert sorted(silent) == [], "move these imports to the top, or say why they wait: " + ", ".join(sorted(silent))


def test_no_import_loop_anywhere():
    """No two modules of the house import each other, directly or around a loop, counting the
    imports inside functions (import-linter checks core's and ui's parts; this covers every module,
    bench's scripts — which import each other by file name — included)."""
    modules = dict(_python_files())
    bench = {name.split(".", 1)[1]: name for name in modules if name.startswith("bench.")}
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + [base]).strip(".")
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                target = bench.get(target, target)
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges[name].add(target)
    graph = {name: set(targets) for name, targets in edges.items()}
    loops = []
    state: dict[str, int] = {}

    def visit(node, trail):   # depth-first; a grey node met again closes a loop
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                loops.append(" → ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert loops == []
