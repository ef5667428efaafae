"""Benchmark: how fast data intake is, and how much memory a big file takes.

    python bench/intake.py [--shared ../shared/datasets] [--big-mb 200]

1. Load + validate ``online_shopping_10_cats`` (train and test concatenated, 62,695 rows):
   target under 3 s. Best of 3 runs, with the time split into reading and validating.
2. Load a ``--big-mb`` MB CSV (IMDb reviews repeated, made in a temporary folder) in a fresh
   process: target peak memory at most 3× the file size, over the process's memory before
   loading. Also the time, and the same for a GBK-encoded copy of a Chinese file.

Prints a table and, on the last line, JSON with the figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MEASURE = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from core.data.dataset import guess_columns, load_table, validate, CleaningChoices
import pandas  # imported before the baseline, as in the app
def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
before = rss_mb()
started = time.perf_counter()
table = load_table(sys.argv[1])
loaded = time.perf_counter() - started
text, label = guess_columns(table.frame)
peak_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
dataset, report = validate(table.frame, text, label, CleaningChoices(sample_rows=int(sys.argv[2])))
total = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": len(table.frame), "encoding": table.encoding, "load_s": round(loaded, 2),
                  "load_validate_s": round(total, 2), "baseline_mb": round(before, 1),
                  "peak_load_mb": round(peak_load - before, 1), "peak_validate_mb": round(peak - before, 1)}))
"""


def online_shopping(shared: Path) -> dict:
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import pandas as pd

    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.data.dataset import guess_columns, load_table, validate

    folder = shared / "online_shopping_10_cats"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "online_shopping_all.csv"
        pd.concat([pd.read_csv(folder / "train.csv"), pd.read_csv(folder / "test.csv")]).to_csv(path, index=False)
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            table = load_table(path)
            read = time.perf_counter() - started
            text, label = guess_columns(table.frame)
            dataset, report = validate(table.frame, text, label)
            runs.append((time.perf_counter() - started, read, report.rows_kept, len(report.class_counts)))
    total, read, rows, classes = min(runs)
    return {"rows": rows, "classes": classes, "seconds": round(total, 2), "read_seconds": round(read, 2),
            "validate_seconds": round(total - read, 2), "target_s": 3.0, "ok": total < 3.0}


def big_file(shared: Path, megabytes: int, encoding: str, source: str) -> dict:
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import pandas as pd

    frame = pd.read_csv(shared / source / "train.csv")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        chunk = frame.to_csv(index=False, header=False).encode(encoding, errors="replace")
        with path.open("wb") as out:
            out.write(b"text,label\n")
            target = megabytes * 2**20 - 2**16   # just under the upload limit
            while out.tell() < target:
                piece = chunk[: target - out.tell()]
                if b"\n" not in piece:
                    break
                out.write(piece.rsplit(b"\n", 1)[0] + b"\n")
        size_mb = path.stat().st_size / 2**20
        completed = subprocess.run([sys.executable, "-c", MEASURE, str(path), "100000000", str(ROOT)],
                                   capture_output=True, text=True,
                                   env={"STUDIO_MAX_ROWS": "100000000", "PATH": "/usr/bin:/bin"})
        if completed.returncode:
            sys.exit(f"measuring {path.name} failed: {completed.stderr.strip()[-2000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result.update(file_mb=round(size_mb, 1), source=source, file_encoding=encoding,
                  load_ratio=round(result["peak_load_mb"] / size_mb, 2),
                  validate_ratio=round(result["peak_validate_mb"] / size_mb, 2))
    result["ok"] = result["load_ratio"] <= 3.0
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--big-mb", type=int, default=200)
    args = parser.parse_args()
    if not (args.shared / "online_shopping_10_cats").exists():
        sys.exit(f"needs the shared data sets at {args.shared} (--shared)")
    shopping = online_shopping(args.shared)
    print(f"online_shopping_10_cats: {shopping['rows']:,} rows, {shopping['classes']} classes, load+validate "
          f"{shopping['seconds']} s (read {shopping['read_seconds']} s, validate {shopping['validate_seconds']} s); "
          f"target < 3 s: {'ok' if shopping['ok'] else 'MISSED'}")
    big = []
    for source, encoding in (("imdb", "utf-8"), ("online_shopping_10_cats", "gbk")):
        result = big_file(args.shared, args.big_mb, encoding, source)
        big.append(result)
        print(f"{result['file_mb']} MB {encoding} CSV ({source} repeated, {result['rows']:,} rows, read as "
              f"{result['encoding']}): load {result['load_s']} s, peak +{result['peak_load_mb']} MB "
              f"= {result['load_ratio']}× the file (target ≤ 3×: {'ok' if result['ok'] else 'MISSED'}); "
              f"with validate {result['load_validate_s']} s, +{result['peak_validate_mb']} MB = {result['validate_ratio']}×")
    print(json.dumps({"online_shopping": shopping, "big_csv": big}, ensure_ascii=False))


if __name__ == "__main__":
    main()
