"""When a browser test fails, its report says what the page showed and what the app and its
training workers printed (CI keeps only its output): a screenshot goes to ``test-artifacts/``."""

from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS

LINES = 25       # of each log's end
PAGE_CHARS = 1500  # of the page's visible text, from its end


def _tail(path: Path, lines: int = LINES) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(unreadable: {error})"


def failure_report(page, tmp_path: Path, name: str) -> str:
    """The page's address and visible text (its end), a screenshot, the end of the app's log
    (``server.log``) and of every training worker's log under the app's data folder."""
    parts = []
    if page is not None:
        try:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"failed-{name}.png"), full_page=True)
            text = page.locator("[data-testid='stMain']").first.inner_text(timeout=5_000)
            parts.append(f"page {page.url}, its visible text (end):\n{text[-PAGE_CHARS:]}")
        except Exception as error:
            parts.append(f"page {page.url}: unreadable ({type(error).__name__}: {str(error)[:200]})")
    if (tmp_path / "server.log").exists():
        parts.append("server.log (end):\n" + _tail(tmp_path / "server.log"))
    for log in sorted((tmp_path / "data").glob("jobs/*/worker.log")):
        parts.append(f"{log.relative_to(tmp_path)} (end):\n" + _tail(log))
    jobs = sorted(path.name for path in (tmp_path / "data").glob("jobs/*"))
    parts.append(f"job folders left: {jobs or 'none'}")
    return "\n\n".join(parts)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "server" in item.funcargs:
        # item.funcargs holds every fixture the test used, the server's tmp_path among them
        report.sections.append(("what the page and the app said",
                                failure_report(item.funcargs.get("page"), item.funcargs["tmp_path"], item.name)))
