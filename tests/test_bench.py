"""bench/: the quick run as a smoke test (no time is asserted), the BENCHMARKS.md generator and
the GPU check script (run tiny on whatever machine this is)."""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT, shared_dataset

sys.path.insert(0, str(ROOT / "bench"))


def test_quick_run_measures_every_figure(tmp_path):
    shared_dataset("sms_spam")
    out = tmp_path / "quick.json"
    done = subprocess.run([sys.executable, "bench/run.py", "--quick", "--sets", "sms_spam",
                           "--models", "recipe,balanced,tfidf,fasttext", "--seeds", "1,2", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1])["results"] == str(out)
    record = json.loads(out.read_text())
    assert record["quick"] and record["settings"]["epochs"] == 1 and record["machine"]["cores"] >= 1
    [row] = record["results"]
    assert row["set"] == "sms_spam" and row["train_rows"] == 540 and row["test_rows"] == 200
    assert row["preprocess"]["rows_per_s"] > 0 and row["preprocess"]["tokenizer"] == "word"
    for name in ("recipe", "balanced", "tfidf"):
        figures = row["models"][name]
        assert 0.5 <= figures["accuracy"] <= 1 and 0 < figures["macro_f1"] <= 1
        assert figures["train_seconds"] >= 0 and figures["peak_rss_mb"] > 100
        assert 0 < figures["latency"]["p50_ms"] <= figures["latency"]["p95_ms"]
        assert figures["batch_texts_per_s"] > 0
    assert row["models"]["recipe"]["epochs"] == 1 and row["models"]["balanced"]["epochs"] == 1
    for name in ("recipe", "balanced"):  # once per seed; the row holds the mean
        runs = row["models"][name]["runs"]
        assert [run["seed"] for run in runs] == [1, 2]
        assert abs(row["models"][name]["accuracy"] - sum(run["accuracy"] for run in runs) / 2) < 1e-4
    assert "runs" not in row["models"]["tfidf"] and record["seeds"]["keras"] == [1, 2]
    assert "fasttext" in row["models"]  # measured, or skipped with the reason when not installed
    assert set(row["checks"]) >= {"balanced_minus_recipe", "balanced_time_ratio", "best_network_minus_tfidf"}


def _figures(accuracy, seconds):
    return {"accuracy": accuracy, "macro_f1": accuracy, "train_seconds": seconds, "epochs": 3,
            "train_examples_per_s": 100.0, "peak_rss_mb": 900.0, "latency": {"p50_ms": 2.0, "p95_ms": 3.0},
            "batch_texts_per_s": 5000.0}


def test_benchmarks_table_shows_the_newest_figures_and_unmet_targets_plainly(tmp_path):
    import run

    def record(date, models):
        return {"format": run.FORMAT, "date": date, "quick": False,
                "machine": {"key": "cpu2", "cpu": "Test CPU", "cores": 2, "memory_gb": 8, "gpus": [], "os": "Linux"},
                "versions": {"python": "3.11"}, "seeds": {"split": 42},
                "results": [{"set": "sms_spam", "preprocess": {"tokenizer": "word", "rows_per_s": 1000, "mb_per_s": 1.5},
                             "models": models}]}

    old = tmp_path / "2026-01-01-cpu2.json"
    old.write_text(json.dumps(record("2026-01-01", {"recipe": _figures(0.99, 40.0), "balanced": _figures(0.95, 30.0)})))
    new = tmp_path / "2026-01-02-cpu2.json"
    new.write_text(json.dumps(record("2026-01-02", {"balanced": {**_figures(0.985, 25.0), "runs": [{}, {}, {}]}, "tfidf": _figures(0.99, 1.0)})))
    text = run.markdown([old, new])
    assert "| sms_spam | balanced (mean of 3 seeds) | 0.9850 |" in text and "| 2026-01-02 |" in text  # the newer
    assert "| sms_spam | recipe | 0.9900 |" in text                                      # kept from the older run
    assert "| sms_spam | fasttext | not run |" in text
    assert "| sms_spam | -0.005 | 0.625 | **no** | -0.005 (balanced) | yes |" in text
    assert "Test CPU, 2 cores" in text


def test_gpu_check_script_runs_tiny_here_and_prints_one_json_line():
    assert subprocess.run(["bash", "-n", "bench/gpu_check.sh"], cwd=ROOT).returncode == 0
    done = subprocess.run(["bash", "bench/gpu_check.sh"], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "GPU_CHECK_DRY": "1", "PYTHON": sys.executable})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] == 512 and result["epoch_s_cpu"] > 0 and "cudnn" in result
    if not result["gpus"]:  # no GPU here: Keras refuses use_cudnn=True, and says why
        assert result["cudnn"] is False and "cuDNN" in result["cudnn_reason"]
