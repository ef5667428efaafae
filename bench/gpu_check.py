"""The Python half of ``bench/gpu_check.sh``: does TensorFlow see the GPU, does the app's LSTM
take the cuDNN kernel, and how long does one epoch on imdb take on cuDNN, on the GPU without
cuDNN (``use_cudnn=False``) and on the CPU.

    python bench/gpu_check.py [--dry]

The model is the app's Balanced recipe (Embedding 128 → LSTM 128 → max pooling → Dense
softmax) on **right-padded** ids with masking, exactly what ``core.models.model`` builds, so the
cuDNN answer is the app's. ``use_cudnn=True`` raises in Keras when the kernel cannot be used;
a forward and backward pass with it is the confirmation. imdb comes from
``../shared/datasets/imdb`` when present, else synthetic ids of imdb's length (said in the
output). The CPU epoch is timed on a slice and scaled to the whole epoch (``cpu_rows`` says
how many). ``--dry``: a tiny run on whatever device there is, to test the script itself.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
IMDB = ROOT.parent / "shared" / "datasets" / "imdb" / "train.csv"
LENGTH = 256


def imdb_ids(rows: int):
    """``(ids, labels, source)``: right-padded ids of ``rows`` imdb reviews (``LENGTH`` tokens)."""
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.text import PreprocessConfig, Vocabulary, pad, tokenize

    if IMDB.exists():
        # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
        import pandas as pd

        frame = pd.read_csv(IMDB).head(rows)
        config = PreprocessConfig()
        tokens = [tokenize(str(text), config) for text in frame["text"]]
        vocabulary = Vocabulary.build(tokens, 20_000, 2)
        labels = frame["label"].astype("category").cat.codes.to_numpy()
        return pad([vocabulary.encode(t, LENGTH) for t in tokens], LENGTH), labels, "imdb"
    rng = np.random.default_rng(0)
    lengths = np.clip(rng.lognormal(5.2, 0.6, rows).astype(int), 10, LENGTH)
    ids = np.zeros((rows, LENGTH), dtype=np.int32)
    for row, length in enumerate(lengths):
        ids[row, :length] = rng.integers(1, 20_000, length)
    return ids, rng.integers(0, 2, rows), "synthetic (imdb not found)"


def model(use_cudnn, vocabulary: int = 20_000):
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import keras

    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.models.model import ModelConfig, build_model

    built = build_model(vocabulary, 2, ModelConfig())
    if use_cudnn != "auto":  # the same model with the recurrent layer's cuDNN switch set
        config = built.get_config()
        for layer in config["layers"]:
            if layer["class_name"] in ("LSTM", "GRU"):
                layer["config"]["use_cudnn"] = use_cudnn
        built = keras.Model.from_config(config)
    built.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return built


def epoch_seconds(ids, labels, use_cudnn, device: str) -> float:
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import tensorflow as tf

    with tf.device(device):
        net = model(use_cudnn)
        net.fit(ids[:128], labels[:128], batch_size=64, epochs=1, verbose=0)  # build and trace
        started = time.perf_counter()
        net.fit(ids, labels, batch_size=64, epochs=1, verbose=0)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry", action="store_true", help="a tiny run, to test the script")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import keras
    import tensorflow as tf

    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    from core.training.train import configure_devices

    out = {"tensorflow": tf.__version__, "keras": keras.__version__}
    out["gpus"] = [gpu.name for gpu in tf.config.list_physical_devices("GPU")]
    devices = configure_devices()
    out["mixed_precision"], out["strategy"] = devices["mixed_precision"], type(devices["strategy"]).__name__
    rows = 512 if args.dry else 20_000
    cpu_rows = 256 if args.dry else 2_000
    ids, labels, out["data"] = imdb_ids(rows)
    out["rows"], out["length"] = len(ids), LENGTH

    try:  # cuDNN confirmation: Keras raises when use_cudnn=True cannot be honoured
        net = model(True)
        with tf.GradientTape() as tape:
            loss = keras.losses.sparse_categorical_crossentropy(labels[:64], net(ids[:64], training=True))
        tape.gradient(loss, net.trainable_variables)
        out["cudnn"] = True
    except Exception as error:
        out["cudnn"], out["cudnn_reason"] = False, f"{type(error).__name__}: {str(error)[:200]}"

    if out["gpus"]:
        if out["cudnn"]:
            out["epoch_s_cudnn"] = round(epoch_seconds(ids, labels, "auto", "/GPU:0"), 2)
        out["epoch_s_gpu_no_cudnn"] = round(epoch_seconds(ids, labels, False, "/GPU:0"), 2)
    cpu = epoch_seconds(ids[:cpu_rows], labels[:cpu_rows], False, "/CPU:0")
    out["cpu_rows"] = cpu_rows
    out["epoch_s_cpu"] = round(cpu * len(ids) / cpu_rows, 2)
    if "epoch_s_cudnn" in out:
        out["speedup_cudnn_vs_no_cudnn"] = round(out["epoch_s_gpu_no_cudnn"] / out["epoch_s_cudnn"], 1)
        out["speedup_cudnn_vs_cpu"] = round(out["epoch_s_cpu"] / out["epoch_s_cudnn"], 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
