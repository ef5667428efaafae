"""Model files that carry code or reach outside the bundle, and whether this Keras refuses them.

    python bench/hostile_models.py                  # the installed Keras: one JSON line
    python bench/hostile_models.py --versions 3.10.0,3.11.3,3.12.0   # each in a scratch folder

Each case is a ``model.keras`` made from a tiny model of this Keras by editing its config.json,
as an attacker would: a ``Lambda`` layer (Python bytecode), an activation naming ``os.system``,
a ``TFSMLayer`` that loads a SavedModel from a path, a ``StringLookup`` whose vocabulary is a file
on the server, a function ``keras.utils.get_file``. A case is refused when loading it in safe
mode (as ``core.models.bundle.Bundle.load`` does) raises and its payload did not run (a marker file).
With ``--versions`` each version of Keras (pure Python) is installed with ``pip --target`` into a
scratch folder and the cases run there: the oldest version that refuses them all is the floor
in requirements.txt (tests/core/test_hostile.py runs the cases on the installed Keras).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CASES = ("lambda", "os_system_activation", "tfsm_layer", "file_vocabulary", "get_file_function")


def tiny_model_file(folder: Path) -> Path:
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import keras

    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(50, 4, name="embedding")(inputs)
    x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
    outputs = keras.layers.Dense(2, activation="softmax", name="probabilities")(x)
    path = folder / "base.keras"
    keras.Model(inputs, outputs).save(path)
    return path


def _rewrite(base: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(base) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    config = json.loads(members["config.json"])
    change(config)
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def _layers(config) -> list:
    return config["config"]["layers"]


def _activation(module: str, name: str):
    """A config change: the Dense layer's activation becomes ``module.name``."""
    def change(config):
        dense = next(layer for layer in _layers(config) if layer["class_name"] == "Dense")
        dense["config"]["activation"] = {"module": module, "class_name": "function", "config": name,
                                         "registered_name": None}
    return change


def make_case(case: str, folder: Path, marker: Path) -> Path:
    """The hostile ``model.keras`` of ``case`` in ``folder``; its payload would create ``marker``."""
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import keras

    base = tiny_model_file(folder)
    target = folder / f"{case}.keras"
    if case == "lambda":
        inputs = keras.Input(shape=(None,), dtype="int32")
        x = keras.layers.Embedding(50, 4)(inputs)
        x = keras.layers.Lambda(lambda t: keras.ops.mean(t, axis=1))(x)
        keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x)).save(target)
        return target
    if case == "os_system_activation":
        return _rewrite(base, target, _activation("os", "system"))
    if case == "tfsm_layer":
        def change(config):
            pool = next(layer for layer in _layers(config) if layer["class_name"] == "GlobalAveragePooling1D")
            pool.update({"module": "keras.layers", "class_name": "TFSMLayer", "registered_name": None,
                         "config": {"name": "pool", "filepath": str(folder / "not_here"), "call_endpoint": "serve",
                                    "trainable": False}})
        return _rewrite(base, target, change)
    if case == "file_vocabulary":
        secret = folder / "server_secret.txt"
        secret.write_text("alpha\nbeta\ngamma\n")

        def change(config):
            layers = _layers(config)
            layers.insert(1, {"module": "keras.layers", "class_name": "StringLookup", "registered_name": None,
                              "name": "lookup", "build_config": {"input_shape": [None, None]},
                              "config": {"name": "lookup", "vocabulary": str(secret), "output_mode": "int"},
                              "inbound_nodes": []})
        return _rewrite(base, target, change)
    if case == "get_file_function":
        return _rewrite(base, target, _activation("keras.utils", "get_file"))
    raise ValueError(case)


def check(case: str) -> dict:
    """Load ``case`` in safe mode; ``{"case", "refused", "detail"}``."""
    # lazy: a bench section loads only what it measures (its time and memory figures exclude the others')
    import keras

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        marker = folder / "payload-ran"
        path = make_case(case, folder, marker)
        try:
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as error:
            refused, detail = not marker.exists(), f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"
        else:
            vocabulary = [getattr(layer, "get_vocabulary", lambda: [])() for layer in model.layers]
            refused, detail = False, f"loaded ({model.name}; vocabularies {vocabulary})"
    return {"case": case, "refused": refused, "detail": detail}


def run_version(version: str | None) -> dict:
    """The cases on ``version`` of Keras (None: the installed one), in a fresh interpreter."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow")
    if version:
        target = Path(tempfile.gettempdir()) / f"keras-{version}"
        if not (target / "keras").is_dir():
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                            f"keras=={version}"], check=True, capture_output=True)
        env["PYTHONPATH"] = os.pathsep.join([str(target), str(Path(__file__).resolve().parent)])
    code = ("import json, keras, hostile_models as h; "
            "print(json.dumps({'keras': keras.__version__, 'cases': [h.check(c) for c in h.CASES]}))")
    if not version:
        env["PYTHONPATH"] = str(Path(__file__).resolve().parent)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    if done.returncode:
        return {"keras": version, "error": done.stderr.strip().splitlines()[-1][:200]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", help="comma-separated Keras versions to try (default: the installed one)")
    args = parser.parse_args()
    for version in (args.versions.split(",") if args.versions else [None]):
        result = run_version(version)
        if "cases" in result:
            result["all_refused"] = all(case["refused"] for case in result["cases"])
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
