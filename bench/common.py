"""What the benches share: where the data sets, results and BENCHMARKS.md are, peak memory,
loading a shared set, and writing results and one section of BENCHMARKS.md.

Kept apart from ``bench/run.py`` so that run.py can gather the other benches' sections when it
regenerates BENCHMARKS.md while they use these helpers, without a loop between the scripts."""

from __future__ import annotations

import datetime
import json
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "datasets"
RESULTS = ROOT / "bench" / "results"
MARKDOWN = ROOT / "BENCHMARKS.md"


def rss_mb() -> float:
    """Resident memory of this process now (MB; Linux ``/proc``, else the peak so far)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        # lazy: POSIX-only module (absent on Windows)
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class PeakMemory:
    """``with PeakMemory() as peak: ...`` then ``peak.mb``: the highest RSS seen while inside,
    sampled every 20 ms by a thread (the process's lifetime peak would hide each model's own)."""

    def __enter__(self):
        self.mb, self._done = rss_mb(), threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while not self._done.wait(0.02):
            self.mb = max(self.mb, rss_mb())

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.mb = round(max(self.mb, rss_mb()), 1)


def load(name: str, limit: int | None, test_limit: int | None):
    """``(train, test)`` DataSets of ``../shared/datasets/<name>``, cut to stratified samples."""
    # lazy: core's data module loads pandas; the benches that only write results never need it
    from core.data.dataset import DataSet, load_dataset, stratified_sample

    def cut(data, n):
        if not n or n >= len(data.texts):
            return data
        rows = stratified_sample(data.labels, n, seed=0)
        return DataSet([data.texts[i] for i in rows], [data.labels[i] for i in rows], data.text_column,
                       data.label_column)

    train, _ = load_dataset(SHARED / name / "train.csv")
    test, _ = load_dataset(SHARED / name / "test.csv")
    return cut(train, limit), cut(test, test_limit)


def append_results(kind: str, rows: list) -> Path:
    """Add ``rows`` to today's ``bench/results/<date>-<kind>.json`` (bench/auto.py, bench/quality.py)."""
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{datetime.date.today()}-{kind}.json"
    previous = json.loads(out.read_text(encoding="utf-8")) if out.exists() else []
    out.write_text(json.dumps(previous + rows, indent=1, ensure_ascii=False), encoding="utf-8")
    return out


def replace_section(heading: str, new: str) -> None:
    """Put ``new`` (a section starting with ``heading``) into BENCHMARKS.md in place of the one
    there, else before the GPU section (else at the end): bench/auto.py and bench/quality.py
    each keep their own section this way."""
    text = MARKDOWN.read_text(encoding="utf-8") if MARKDOWN.exists() else ""
    if heading in text:
        start = text.index(heading)
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + new + ("\n" + text[end + 1:] if end != -1 else "")
    else:
        gpu = text.find("\n## GPU")
        text = (text[:gpu + 1] + new + "\n" + text[gpu + 1:]) if gpu != -1 else text.rstrip("\n") + "\n\n" + new
    MARKDOWN.write_text(text, encoding="utf-8")
