"""Model download (zip + model card) and the checks an uploaded bundle must pass."""

import io
import zipfile

import pytest

from core.base.errors import UserError
from core.models.package import bundle_zip, unpack_bundle


@pytest.fixture(scope="module")
def saved(tiny_result, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundle") / "b"
    tiny_result.bundle.save(folder)
    return folder


def rezip(data: bytes, change) -> bytes:
    """``data`` (a bundle zip) with ``change(members dict)`` applied."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    change(members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_download_and_upload_round_trip_with_a_model_card(saved, tiny_result, tmp_path):
    data = bundle_zip(saved, "spam filter", "sms_spam")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        card = archive.read("README.md").decode()
    assert names == {"model.keras", "preprocess.json", "vocabulary.json", "labels.json", "settings.json",
                     "metrics.json", "README.md"}
    assert card.startswith("# spam filter") and "`ham`, `spam`" in card and "Bundle.load" in card
    # Every setting with the value it had and the option that sets it again (core.models.settings).
    assert "| Recurrent units | `16` | `--lstm-units` |" in card and "| Read both ways | `off` | `--bidirectional` |" in card
    assert "Intended use and limits" in card and "Test accuracy:" in card
    loaded = unpack_bundle(data, tmp_path / "uploaded")
    texts = tiny_result.test_texts[:20]
    assert (loaded.predict_proba(texts) == tiny_result.bundle.predict_proba(texts)).all()
    # Zipped inside one folder (what "compress folder" does on a desktop) is fine too.
    nested = rezip(data, lambda m: m.update({f"my_model/{k}": m.pop(k) for k in list(m)}))
    assert unpack_bundle(nested, tmp_path / "nested").labels == ["ham", "spam"]


@pytest.mark.parametrize("change, key", [
    (lambda m: m.update({"extra.txt": b"hello"}), "err.bundle_upload_files"),
    (lambda m: m.update({"model.pkl": b"\x80\x04\x95"}), "err.bundle_upload_files"),
    (lambda m: m.update({"../evil.json": b"{}"}), "err.bundle_upload_files"),
    (lambda m: m.update({"/etc/passwd": b""}), "err.bundle_upload_files"),
    (lambda m: m.pop("labels.json"), "err.bundle_upload_missing"),
    (lambda m: m.update({"metrics.json": b"\x80\x04\x95pickle"}), "err.bundle_upload_unsafe"),
    (lambda m: m.update({"labels.json": b'["a", "b", "c"]'}), "err.bundle_upload_unsafe"),
    (lambda m: m.update({"preprocess.json": b'{"tokenizer": "rm -rf"}'}), "err.bundle_upload_unsafe"),
])
def test_tampered_bundles_are_refused_and_nothing_is_written(saved, tmp_path, change, key):
    data = rezip(bundle_zip(saved, "m"), change)
    with pytest.raises(UserError) as error:
        unpack_bundle(data, tmp_path / "target")
    assert error.value.key == key
    assert not (tmp_path / "target").exists() and list(tmp_path.iterdir()) == []


def test_oversized_not_a_zip_and_links_are_refused(saved, tmp_path, monkeypatch):
    data = bundle_zip(saved, "m")
    monkeypatch.setenv("STUDIO_MAX_BUNDLE_MB", "0")
    with pytest.raises(UserError) as error:
        unpack_bundle(data, tmp_path / "t")
    assert error.value.key == "err.bundle_upload_size"
    monkeypatch.delenv("STUDIO_MAX_BUNDLE_MB")
    with pytest.raises(UserError) as error:
        unpack_bundle(b"PK\x03\x04 not really", tmp_path / "t")
    assert error.value.key == "err.bundle_upload_not_zip"

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            if info.filename == "labels.json":
                link = zipfile.ZipInfo("labels.json")
                link.external_attr = (0o120777 << 16)  # a symbolic link to /etc/passwd
                target.writestr(link, "/etc/passwd")
            else:
                target.writestr(info, source.read(info))
    with pytest.raises(UserError) as error:
        unpack_bundle(buffer.getvalue(), tmp_path / "t")
    assert error.value.key == "err.bundle_upload_files"


def test_a_model_with_a_lambda_layer_is_refused(saved, tmp_path):
    import keras

    inputs = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(100, 4)(inputs)
    x = keras.layers.Lambda(lambda t: keras.ops.mean(t, axis=1))(x)
    outputs = keras.layers.Dense(2, activation="softmax")(x)
    keras.Model(inputs, outputs).save(tmp_path / "lambda.keras")
    evil = (tmp_path / "lambda.keras").read_bytes()
    data = rezip(bundle_zip(saved, "m"), lambda m: m.update({"model.keras": evil}))
    with pytest.raises(UserError) as error:
        unpack_bundle(data, tmp_path / "target")
    assert error.value.key == "err.bundle_upload_unsafe" and "lambda" in str(error.value).lower()
    assert not (tmp_path / "target").exists()
