"""Issue 20's service figures: ``python -m core serve`` on loopback, as a client sees it.

    python bench/serve.py [--requests 300] [--seconds 15]

Trains (once; kept in ``bench/results/serve-models/``) a Balanced network and a TF-IDF model on
sms_spam ``train.csv`` (the bundled sample when ``../shared`` is absent), starts the service as a
user would, then measures with plain HTTP keep-alive clients on the same machine:

- **latency**: one text per request, one request at a time, ``--requests`` after 20 to warm
  up: p50 and p99 (ms) per model;
- **throughput**: 16 concurrent clients for ``--seconds``, each sending one text per request
  and then 32 texts per request (short texts: sms_spam test messages): texts/s (aim ≥ 2,000 for
  the Balanced network). The clients share the 2 cores with the server.

Appends to ``bench/results/<date>-serve.json`` and rewrites its section of BENCHMARKS.md; the
last line printed is the JSON.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import RESULTS, SHARED, append_results, replace_section  # noqa: E402 - after sys.path names bench/

MODELS = RESULTS / "serve-models"
HEADING = "## Prediction service (issue 20)"
CLIENTS = 16


def _data(split: str) -> Path:
    path = SHARED / "sms_spam" / f"{split}.csv"
    return path if path.exists() else ROOT / "core" / "data" / "sample_data" / "sms_spam.csv"


def models() -> dict[str, Path]:
    """The two bundles served: trained once, then reused."""
    made = {"network": ["--preset", "balanced", "--model", "network"], "tfidf": ["--model", "tfidf"]}
    for name, args in made.items():
        if not (MODELS / name / "labels.json").exists():
            print(f"training the {name} bundle …", file=sys.stderr, flush=True)
            subprocess.run([sys.executable, "-m", "core", "train", str(_data("train")), *args, "--out", str(MODELS / name)],
                           cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return {name: MODELS / name for name in made}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """One keep-alive HTTP connection to the service."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def predict(self, texts, model: str) -> dict:
        self.connection.request("POST", "/v1/predict", json.dumps({"texts": texts, "model": model}),
                                {"Content-Type": "application/json"})
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{response.status}: {body[:200]!r}")
        return json.loads(body)


def latency(port: int, model: str, texts, requests: int) -> dict:
    client = Client(port)
    for text in texts[:20]:
        client.predict([text], model)
    times = []
    for i in range(requests):
        started = time.perf_counter()
        client.predict([texts[i % len(texts)]], model)
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(float(np.percentile(times, 50)), 2), "p99_ms": round(float(np.percentile(times, 99)), 2),
            "requests": requests}


def throughput(port: int, model: str, texts, per_request: int, seconds: float) -> dict:
    counts, errors = [0] * CLIENTS, []
    stop = time.perf_counter() + seconds

    def run(number):
        client = Client(port)
        rng = np.random.default_rng(number)
        try:
            while time.perf_counter() < stop:
                batch = [texts[i] for i in rng.integers(0, len(texts), per_request)]
                counts[number] += len(client.predict(batch, model)["predictions"])
        except Exception as error:
            errors.append(repr(error))

    threads = [threading.Thread(target=run, args=(number,)) for number in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"clients": CLIENTS, "texts_per_request": per_request, "texts": sum(counts),
            "texts_per_second": round(sum(counts) / elapsed), "errors": len(errors), "seconds": round(elapsed, 1)}


def measure(requests: int, seconds: float) -> list[dict]:
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import pandas as pd

    texts = [str(text) for text in pd.read_csv(_data("test"))["text"].dropna() if str(text).strip()][:2000]
    served = models()
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "core", "serve", *map(str, served.values()), "--port", str(port)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/v1/health")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        rows = []
        for name in served:
            row = {"what": "service", "model": name, "short_texts": f"{len(texts)} sms_spam test messages",
                   "mean_chars": round(float(np.mean([len(text) for text in texts])), 1)}
            row["latency"] = latency(port, name, texts, requests)
            row["throughput"] = [throughput(port, name, texts, per_request, seconds) for per_request in (1, 32)]
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
        return rows
    finally:
        process.terminate()
        process.wait(timeout=30)


def section() -> str:
    """The BENCHMARKS.md section from ``bench/results/*-serve.json`` (newest row per model)."""
    rows = {}
    for path in sorted(RESULTS.glob("*-serve.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            rows[row["model"]] = row
    if not rows:
        return ""
    lines = [HEADING, "", "`python bench/serve.py` on this machine (2 cores, no GPU): `python -m core serve` on loopback; "
             f"the clients (Python, keep-alive) run on the same 2 cores. Texts: {next(iter(rows.values()))['short_texts']} "
             f"(mean {next(iter(rows.values()))['mean_chars']} characters).", "",
             f"| model | one text: p50 (ms) | p99 (ms) | {CLIENTS} clients, 1 text per request (texts/s) | "
             f"{CLIENTS} clients, 32 texts per request (texts/s) | errors |", "|---|---:|---:|---:|---:|---:|"]
    for name, row in rows.items():
        one, many = row["throughput"]
        lines.append(f"| {name} | {row['latency']['p50_ms']} | {row['latency']['p99_ms']} | {one['texts_per_second']:,} | "
                     f"{many['texts_per_second']:,} | {one['errors'] + many['errors']} |")
    if "network" in rows:
        one, many = (run["texts_per_second"] for run in rows["network"]["throughput"])
        def verdict(value):
            return "met" if value >= 2000 else "not met"

        lines += ["", "network: the Balanced preset (LSTM 64 units, padding length 42) trained on sms_spam `train.csv`. "
                      f"Aim ≥ 2,000 texts/s with 16 clients: **{verdict(many)}** with 32 texts per request ({many:,}), "
                      f"**{verdict(one)}** with one text per request ({one:,}; TF-IDF, nearly free to compute, "
                      f"reaches {rows.get('tfidf', {}).get('throughput', [{}])[0].get('texts_per_second', 0):,} that way: "
                      "per-request HTTP and JSON work, with server and clients on the same 2 cores, is much of the cost)."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args(argv)
    rows = measure(args.requests, args.seconds)
    append_results("serve", rows)
    replace_section(HEADING, section())
    print(json.dumps(rows, ensure_ascii=False))
    return rows


if __name__ == "__main__":
    main()
