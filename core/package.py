"""A bundle as one ``.zip`` to download, with a model card; and the checks an uploaded one passes.

The zip holds the bundle's files at its top level (see :mod:`core.bundle`) plus ``README.md``,
the model card. An upload is read only after every check has passed: size, a real zip, only the
expected file names (no folders, no ``../``, no links, nothing else such as a pickle), a sane
unpacked size, and finally Keras's ``safe_mode`` load (which refuses ``Lambda`` layers and any
other code in the model file).
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import zipfile
from pathlib import Path

from core.bundle import JSON_FILES, MODEL_FILES, Bundle
from core.errors import UserError
from core.files import replace_dir, staging_dir

CARD = "README.md"
ALLOWED = {*MODEL_FILES, *JSON_FILES, CARD}
UNPACK_RATIO = 20  # the unpacked bundle may be at most this many times its upload limit


def max_bundle_mb() -> int:
    """Largest bundle upload in MB: ``$STUDIO_MAX_BUNDLE_MB`` or 200 (the upload limit of .streamlit/config.toml)."""
    return int(os.environ.get("STUDIO_MAX_BUNDLE_MB", "200"))


def model_card(bundle: Bundle, name: str, dataset: str = "") -> str:
    """The ``README.md`` that travels with a downloaded model: data, settings, metrics, intended
    use and limits, and how to load it with ``core``."""
    info, config = bundle.info, bundle.preprocess
    data, test = info.data, info.test
    recipe = "Embedding → LSTM → Dense softmax"
    if bundle.kind == "tfidf":
        features = "characters and runs of 2–3 characters" if bundle.model.analyzer == "chars" else "tokens and token pairs"
        recipe = f"TF-IDF ({features}) + logistic regression"
    lines = [f"# {name}", "", f"A text classifier made with Text Classifier Studio: {recipe}.", "",
             "## Data", "",
             f"- Data set: {dataset or 'not recorded'}; {data.rows} labelled texts "
             f"({data.train} training, {data.validation} validation, {data.test} test).",
             f"- Classes ({len(bundle.labels)}): " + ", ".join(f"`{label}`" for label in bundle.labels), "",
             "## Results", ""]
    if test:
        lines += [f"- Test accuracy: {test.accuracy:.4f}; macro-F1: {test.macro_f1:.4f} on {test.n} held-out texts.",
                  "", "| class | precision | recall | F1 | texts |", "|---|---|---|---|---|"]
        lines += [f"| {row['label']} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['support']} |"
                  for row in test.per_class]
    else:
        lines.append(f"- Validation accuracy: {info.val_accuracy:.4f} (no held-out test split).")
    if info.baseline:
        lines += ["", f"- TF-IDF + logistic regression on the same split: accuracy {info.baseline.accuracy:.4f}."]
    if bundle.decision:
        lines += ["", f"- Decision threshold: `{bundle.decision['positive']}` when its probability is at least "
                      f"{bundle.decision['threshold']}."]
    lines += ["", "## Settings", "", f"- Preprocessing: tokenizer `{config.tokenizer}`, padding length {config.max_length}, "
              f"vocabulary {len(bundle.vocabulary)} tokens, lowercase {config.lowercase}.",
              f"- Trained for {info.epochs} epochs in {info.train_seconds if info.train_seconds is not None else '?'} s "
              f"on {info.device_name}.", "", *settings_table(bundle),
              "", "## Intended use and limits", "",
              "- Sorts texts like the training data into the classes above. It knows nothing outside them: every text "
              "gets one of these labels, however unrelated.",
              "- Accuracy holds for texts like the training data (language, length, topic, time); check it on your own "
              "labelled sample before relying on it, and keep a person in the loop for decisions that matter.",
              "- Words never seen in training count as unknown; texts longer than the padding length are cut.", "",
              "## Use it", "", "```bash", "unzip model.zip -d my_model",
              'python -m core predict my_model "a text to classify"', "```", "", "```python",
              "from core.bundle import Bundle", "", 'bundle = Bundle.load("my_model")',
              'bundle.predict_one("a text to classify")  # {"label": ..., "probabilities": {...}}', "```", "",
              "`core` is the package of Text Classifier Studio. The model file loads with Keras `safe_mode` and "
              "contains no pickle.", ""]
    return "\n".join(lines)


def settings_table(bundle: Bundle) -> list[str]:
    """The run's settings as a Markdown table: each setting of :data:`core.settings.SETTINGS`
    (the network's only for a network) with its value and the option that sets it in
    ``python -m core train``."""
    from core.i18n import translate
    from core.settings import SETTINGS

    info = bundle.info
    values = {**(info.model.to_dict() if info.model else {}), **info.train.to_dict(),
              "max_length": bundle.preprocess.max_length}
    rows = ["| setting | value | option |", "|---|---|---|"]
    for knob in SETTINGS:
        if knob.name in values and (knob.section != "model" or info.model is not None):
            rows.append(f"| {translate(knob.label, 'en')} | `{knob.cli_value(values[knob.name])}` | `{knob.flag}` |")
    return rows


def bundle_zip(directory, name: str, dataset: str = "") -> bytes:
    """The bundle folder ``directory`` as zip bytes, with its model card."""
    directory = Path(directory)
    bundle = Bundle.load(directory)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file_name in (*MODEL_FILES, *JSON_FILES):
            if (directory / file_name).is_file():
                archive.write(directory / file_name, file_name)
        archive.writestr(CARD, model_card(bundle, name, dataset))
    return buffer.getvalue()


def _members(archive: zipfile.ZipFile, limit: int) -> dict[str, zipfile.ZipInfo]:
    """Checked members by bundle file name. All at the top level, or all in one folder."""
    infos = [info for info in archive.infolist() if not info.is_dir()]
    names = [info.filename for info in infos]
    folders = {name.split("/")[0] for name in names if "/" in name}
    prefix = ""
    if len(folders) == 1 and all(name.count("/") == 1 for name in names):
        prefix = folders.pop() + "/"
    members = {}
    for info in infos:
        name = info.filename
        bad_path = name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/") or ":" in name
        is_link = stat.S_ISLNK(info.external_attr >> 16)
        short = name[len(prefix):] if prefix and name.startswith(prefix) else name
        if bad_path or is_link or short not in ALLOWED or short in members:
            raise UserError("err.bundle_upload_files", name=name, allowed=", ".join(sorted(ALLOWED)))
        members[short] = info
    models = [name for name in MODEL_FILES if name in members]
    missing = sorted(set(JSON_FILES) - set(members)) + ([" or ".join(MODEL_FILES)] if not models else [])
    if len(models) > 1:
        raise UserError("err.bundle_upload_files", name=models[1], allowed=", ".join(sorted(ALLOWED)))
    if missing:
        raise UserError("err.bundle_upload_missing", missing=", ".join(missing))
    if sum(info.file_size for info in members.values()) > limit * UNPACK_RATIO:
        raise UserError("err.bundle_upload_size", mb=max_bundle_mb())
    return members


def unpack_bundle(data: bytes, destination) -> Bundle:
    """Check an uploaded bundle zip, write it to ``destination`` (atomically) and load it.

    Raises
    ------
    UserError
        For anything but a bundle this app wrote: too large, not a zip, unexpected or missing
        files, unsafe paths or links, a model Keras will not load safely, unreadable settings.
    """
    limit = max_bundle_mb() * 2**20
    if len(data) > limit:
        raise UserError("err.bundle_upload_size", mb=max_bundle_mb())
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UserError("err.bundle_upload_not_zip")
    destination = Path(destination)
    staging = staging_dir(destination)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = _members(archive, limit)
            for short, info in members.items():
                with archive.open(info) as source, open(staging / short, "wb") as target:
                    shutil.copyfileobj(source, target)
        try:
            bundle = Bundle.load(staging)
        except UserError as error:
            raise UserError("err.bundle_upload_unsafe", detail=error.params.get("detail", error.key)) from None
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            raise UserError("err.bundle_upload_unsafe", detail=f"{type(error).__name__}: {error}"[:200]) from None
        outputs = bundle.outputs
        if outputs != len(bundle.labels):
            raise UserError("err.bundle_upload_unsafe", detail=f"{len(bundle.labels)} labels for {outputs} model outputs")
        replace_dir(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Bundle.load(destination)
