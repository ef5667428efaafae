"""A bundle as one ``.zip`` to download, with a model card; and the checks an uploaded one passes.

The zip holds the bundle's files at its top level (see :mod:`core.models.bundle`) plus ``README.md``,
the model card. An upload is read only after every check has passed: size, a real zip, only the
expected file names (no folders, no ``../``, no links, nothing else such as a pickle), a sane
unpacked size, and finally Keras's ``safe_mode`` load (which refuses ``Lambda`` layers and any
other code in the model file).
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from pathlib import Path

from core.base import fence
from core.base.deployment import value
from core.base.errors import UserError
from core.base.files import staged
from core.base.i18n import translate
from core.models.bundle import JSON_FILES, MODEL_FILES, TERMS_FILE, Bundle, check_keras_file
from core.models.settings import SETTINGS
from core.models.tfidf import describe

CARD = "README.md"
ALLOWED = {*MODEL_FILES, *JSON_FILES, TERMS_FILE, CARD}
# The most each file of an uploaded bundle may unpack to, in MB (None: the upload limit itself).
# A bundle this app writes stays far below: 200,000 tokens of vocabulary are ~4 MB, the
# metrics of 100 classes ~1 MB.
MEMBER_LIMITS_MB = {"model.keras": None, "tfidf.npz": None, "vocabulary.json": 50, TERMS_FILE: 50, "preprocess.json": 5,
                    "labels.json": 1, "settings.json": 1, "metrics.json": 20, CARD: 1}
MAX_MEMBER_RATIO = 50  # a member over 1 MB packed tighter than this is a bomb (JSON packs ~4×, weights ~1×)
UNPACKED_FACTOR = 2    # all members together unpack to at most twice the upload limit


def max_bundle_mb() -> int:
    """Largest bundle upload in MB: ``$STUDIO_MAX_BUNDLE_MB`` or the upload limit (core.base.deployment.UPLOAD_MB)."""
    return value("STUDIO_MAX_BUNDLE_MB")


def model_card(bundle: Bundle, name: str, dataset: str = "") -> str:
    """The ``README.md`` that travels with a downloaded model: data, settings, metrics, intended
    use and limits, and how to load it with ``core``."""
    info, config = bundle.info, bundle.preprocess
    data, test = info.data, info.test
    recipe = "Embedding → LSTM → Dense softmax"
    if bundle.kind in ("tfidf", "blend"):
        tfidf = bundle.model if bundle.kind == "tfidf" else bundle.tfidf
        recipe = describe(tfidf)
        if bundle.kind == "blend":
            recipe = (f"a blend of Embedding → LSTM → Dense softmax (weight {bundle.weight:.2f}) and {recipe} "
                      f"(weight {1 - bundle.weight:.2f}), their class probabilities mixed")
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
              "from core.models.bundle import Bundle", "", 'bundle = Bundle.load("my_model")',
              'bundle.predict_one("a text to classify")  # {"label": ..., "probabilities": {...}}', "```", "",
              "`core` is the package of Text Classifier Studio. The model file loads with Keras `safe_mode` and "
              "contains no pickle.", ""]
    return "\n".join(lines)


def settings_table(bundle: Bundle) -> list[str]:
    """The run's settings as a Markdown table: each setting of :data:`core.models.settings.SETTINGS`
    (the network's only for a network) with its value and the option that sets it in
    ``python -m core train``."""
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
    return folder_zip(directory, model_card(Bundle.load(directory), name, dataset))


def folder_zip(directory, card: str | None = None, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The bundle files of the folder ``directory`` as zip bytes (what :func:`unpack_bundle`
    takes back), with ``card`` as its ``README.md`` when given."""
    directory = Path(directory)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for file_name in (*MODEL_FILES, *JSON_FILES, TERMS_FILE):
            if (directory / file_name).is_file():
                archive.write(directory / file_name, file_name)
        if card is not None:
            archive.writestr(CARD, card)
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
    if len(models) > 1 and TERMS_FILE not in members:   # both model files: only a blend, with its terms
        raise UserError("err.bundle_upload_files", name=models[1], allowed=", ".join(sorted(ALLOWED)))
    if missing:
        raise UserError("err.bundle_upload_missing", missing=", ".join(missing))
    for short, info in members.items():
        member_limit = (MEMBER_LIMITS_MB[short] or max_bundle_mb()) * 2**20
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > member_limit or info.file_size > 2**20 and ratio > MAX_MEMBER_RATIO:
            raise UserError("err.bundle_upload_member", name=short, mb=f"{info.file_size / 2**20:,.1f}",
                            limit=member_limit // 2**20, ratio=f"{ratio:,.0f}")
    total = sum(info.file_size for info in members.values())
    if total > UNPACKED_FACTOR * limit:
        raise UserError("err.bundle_upload_unpacked", mb=f"{total / 2**20:,.1f}", limit=UNPACKED_FACTOR * limit // 2**20)
    return members


def unpacked_bytes(data: bytes) -> int:
    """What an uploaded bundle zip declares it unpacks to (for the workspace's quota, checked
    before anything is unpacked); 0 when it is no zip (the upload is refused later)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target_path: Path) -> None:
    """Unpack one member, never more bytes than it declares (headers can lie), and say plainly
    when it is damaged (a bad CRC, a truncated stream)."""
    written = 0
    try:
        with archive.open(info) as source, open(target_path, "wb") as target:
            while chunk := source.read(2**20):
                written += len(chunk)
                if written > info.file_size:
                    raise UserError("err.bundle_upload_member", name=info.filename, mb=f"{written / 2**20:,.1f}",
                                    limit=f"{info.file_size / 2**20:,.1f}", ratio="?")
                target.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise UserError("err.bundle_upload_damaged", name=info.filename, detail=str(error)[:120]) from None


def unpack_bundle(data: bytes, destination) -> Bundle:
    """Check a bundle zip, write it to ``destination`` (atomically) and load it, in this process:
    for bundles the app made itself (a Ray run's result, a checkpoint). A user's upload goes
    through :func:`import_bundle`, which does the same in a fenced child process.

    Raises
    ------
    UserError
        For anything but a bundle this app wrote: too large, not a zip, unexpected or missing
        files, unsafe paths or links, a model Keras will not load safely, unreadable settings.
    """
    _check_size(data)
    destination = Path(destination)
    with staged(destination) as staging:
        _unpack_into(data, staging)
        _load_checked(staging)
    return Bundle.load(destination)


def import_bundle(data: bytes, destination) -> dict:
    """Check an uploaded bundle zip and put it at ``destination``, every check, the unpacking
    and the trial load (Keras safe mode) in a fenced child process (:mod:`core.base.fence`): a bundle
    built to exhaust memory or time becomes a message. Returns ``{"rows", "kind"}``.

    Raises
    ------
    UserError
        As :func:`unpack_bundle`, and ``err.parse_memory`` / ``err.parse_time``.
    """
    _check_size(data)
    destination = Path(destination)
    with staged(destination) as staging:
        meta, _ = fence.fenced("bundle", data, str(staging.resolve()))
    return meta


def fenced_unpack(data: bytes, staging: str) -> tuple[dict, list]:
    """The fenced task of :func:`import_bundle` (runs in the child): the zip's and the model
    file's own checks first, then TensorFlow is imported (outside the memory limit: importing
    it is not the parse) and the model loaded under the limit."""
    staging_path = Path(staging)
    _unpack_into(data, staging_path)
    if (staging_path / MODEL_FILES[0]).is_file():
        try:
            check_keras_file(staging_path / MODEL_FILES[0])
        except (ValueError, KeyError, zipfile.BadZipFile) as error:
            raise UserError("err.bundle_upload_unsafe", detail=str(error)[:200]) from None
        fence.import_unfenced(("keras", "core.models.model"))
    bundle = _load_checked(staging_path)
    return {"rows": bundle.info.data.rows, "kind": bundle.kind}, []


def _check_size(data: bytes) -> None:
    if len(data) > max_bundle_mb() * 2**20:
        raise UserError("err.bundle_upload_size", mb=f"{len(data) / 2**20:,.1f}", limit=max_bundle_mb())


def _unpack_into(data: bytes, staging: Path) -> None:
    """Check the zip (names, sizes, ratios) and write its members into the folder ``staging``."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UserError("err.bundle_upload_not_zip")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UserError("err.bundle_upload_damaged", name="(the zip)", detail=str(error)[:120]) from None
    with archive:
        members = _members(archive, max_bundle_mb() * 2**20)
        for short, info in members.items():
            _copy_member(archive, info, staging / short)


def _load_checked(staging: Path) -> Bundle:
    """Load the unpacked bundle in ``staging`` as a check: safe mode, documents, outputs."""
    try:
        bundle = Bundle.load(staging)
        outputs = bundle.outputs
    except UserError as error:
        raise UserError("err.bundle_upload_unsafe", detail=error.params.get("detail", error.key)) from None
    except (TypeError, ValueError, KeyError, AttributeError, OSError) as error:
        raise UserError("err.bundle_upload_unsafe", detail=f"{type(error).__name__}: {error}"[:200]) from None
    if outputs != len(bundle.labels):
        raise UserError("err.bundle_upload_unsafe", detail=f"{len(bundle.labels)} labels for {outputs} model outputs")
    return bundle
