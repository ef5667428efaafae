"""Hostile files and faults (issues 21 and 26): every hostile file, made small on disk by the test
itself, is refused with a message, within 5 s and 500 MB above the app process's baseline (the
parse itself runs in the fence, core.base.fence: what slips past the checks becomes a message there),
and no user file is ever deleted. The costs measured are written to
test-artifacts/hostile-files.json.
"""

import io
import json
import os
import subprocess
import sys
import zipfile

import pytest

from core.base.errors import UserError
from core.models.bundle import Bundle
from core.models.package import unpack_bundle
from core.store import ModelStore, known_workspace, new_workspace_id
from tests import hostile
from tests.conftest import ARTIFACTS, ROOT

SECONDS, MEGABYTES = 5.0, 500.0
MEASURED: dict = {}


@pytest.fixture(scope="module")
def tfidf_folder(tmp_path_factory):
    """A real TF-IDF bundle (seconds to make, no TensorFlow in the children that read it)."""
    from tests.core.test_files import tfidf_bundle

    folder = tmp_path_factory.mktemp("bundle") / "b"
    tfidf_bundle("real").save(folder)
    return folder


def measured(name: str, kind: str, path, env: dict | None = None) -> dict:
    old = {key: os.environ.get(key) for key in (env or {})}
    os.environ.update(env or {})
    try:
        result = hostile.refusal(kind, path)
    finally:
        for key, value in old.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    result["bytes_on_disk"] = os.path.getsize(path)
    MEASURED[name] = result
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "hostile-files.json").write_text(json.dumps(MEASURED, indent=1))
    assert result.get("seconds", 99) <= SECONDS and result.get("peak_mb", 9999) <= MEGABYTES, (name, result)
    return result


# -- data files -----------------------------------------------------------------------------------

def test_a_5_kb_workbook_with_a_cell_at_xfd1048576_is_refused_at_once(tmp_path):
    path = hostile.xlsx_last_cell(tmp_path / "last-cell.xlsx")
    assert path.stat().st_size < 10_000
    assert measured("xlsx, one cell at XFD1048576", "data", path)["key"] == "err.too_many_columns"


def test_a_million_row_workbook_is_refused_before_it_is_read(tmp_path):
    path = hostile.xlsx_million_rows(tmp_path / "million.xlsx")
    assert measured("xlsx, 1,048,575 rows", "data", path)["key"] == "err.excel_too_many_rows"


def test_a_csv_hiding_5000_columns_behind_a_70_kb_first_field_is_refused(tmp_path):
    path = hostile.csv_long_first_field(tmp_path / "long-header.csv")
    assert measured("csv, 70 KB quoted first field + 5,000 columns", "data", path)["key"] == "err.too_many_columns"
    with pytest.raises(UserError, match="does not end within"):
        from core.data.dataset import load_table

        load_table(b'"' + b"x" * (2**20 + 10) + b"\ntext,label\n", "open-quote.csv")


def test_a_zip_of_many_tightly_packed_small_texts_is_not_unpacked(tmp_path):
    path = hostile.zip_many_packed_texts(tmp_path / "texts.zip", members=250)
    assert path.stat().st_size < 2 * 2**20
    assert measured("zip, 250 × 1 MB texts packed ~370×", "data", path)["key"] == "err.zip_bomb"


def test_more_lines_than_four_times_the_row_cap_are_refused_before_parsing(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text("text,label\n" + "hello,a\n" * 1000)
    result = measured("csv, 1,000 lines over a row cap of 100", "data", path, {"STUDIO_MAX_ROWS": "100"})
    assert result["key"] == "err.too_many_lines"


def test_a_table_of_too_many_cells_is_refused(tmp_path, monkeypatch):
    import core.data.reading

    monkeypatch.setattr(core.data.reading, "MAX_CELLS", 1000)
    with pytest.raises(UserError) as error:
        core.data.reading.table_from_bytes(   # the reader itself: the fenced child does not see the patch
            ("text,label," + ",".join(f"c{i}" for i in range(60)) + "\n" + ("a,b" + "," * 60 + "\n") * 30).encode(),
            "wide.csv")
    assert error.value.key == "err.too_many_cells"


# -- bundle uploads -------------------------------------------------------------------------------

def upload(tmp_path, tfidf_folder, name: str, change, env=None) -> dict:
    members = hostile.bundle_members(tfidf_folder)
    change(members)
    path = hostile.bundle_zip(members, tmp_path / "upload.zip")
    assert path.stat().st_size < 2 * 2**20     # small on disk, whatever it unpacks to
    return measured(name, "bundle", path, env)


def test_a_readme_that_inflates_to_300_mb_is_refused_with_its_real_size(tmp_path, tfidf_folder):
    """The message named the upload limit (200 MB) for a member of 4.5 GB: now its own size."""
    result = upload(tmp_path, tfidf_folder, "bundle, README.md inflating to 300 MB",
                    lambda m: m.update({"README.md": b"\0" * (300 * 2**20)}))
    assert result["key"] == "err.bundle_upload_member"
    with pytest.raises(UserError, match="README.md in this zip unpacks to 300.0 MB"):
        unpack_bundle((tmp_path / "upload.zip").read_bytes(), tmp_path / "out")


def test_a_huge_vocabulary_is_refused_before_it_is_read(tmp_path, tfidf_folder):
    result = upload(tmp_path, tfidf_folder, "bundle, vocabulary.json of 60 MB",
                    lambda m: m.update({"vocabulary.json": json.dumps({"tokens": ["a"] * 12_000_000}).encode()}))
    assert result["key"] == "err.bundle_upload_member"


def test_an_npz_declaring_a_2_gb_array_is_refused_before_numpy_allocates_it(tmp_path, tfidf_folder):
    result = upload(tmp_path, tfidf_folder, "bundle, tfidf.npz declaring a 2 GB coef",
                    lambda m: m.update({"tfidf.npz": hostile.npz_declaring(16_384, 16_384)}))
    assert result["key"] == "err.bundle_upload_unsafe"


def test_a_bundle_unpacking_to_more_than_twice_the_upload_limit_is_refused(tmp_path, tfidf_folder):
    result = upload(tmp_path, tfidf_folder, "bundle, 3 MB unpacked with a 1 MB upload limit",
                    lambda m: m.update({"vocabulary.json": json.dumps({"tokens": [f"t{i}" for i in range(400_000)]}).encode()}),
                    {"STUDIO_MAX_BUNDLE_MB": "1"})
    assert result["key"] == "err.bundle_upload_unpacked"


@pytest.mark.parametrize("name, change", [
    ("settings.json = []", lambda m: m.update({"settings.json": b"[]"})),
    ("a threshold given as a string", lambda m: m.update({"settings.json": json.dumps(
        {"kind": "tfidf", "decision": {"positive": "spam", "threshold": "0.3"}}).encode()})),
    ("duplicate labels", lambda m: m.update({"labels.json": b'["ham", "ham"]'})),
    ("a vocabulary of numbers", lambda m: m.update({"vocabulary.json": b'{"tokens": [1, 2, 3]}'})),
])
def test_bundle_documents_that_are_not_what_the_app_writes_are_refused_on_upload(tmp_path, tfidf_folder, name, change):
    """Each of these was accepted, and then every prediction failed with an internal error."""
    members = hostile.bundle_members(tfidf_folder)
    change(members)
    with pytest.raises(UserError) as error:
        unpack_bundle(hostile.bundle_zip(members, tmp_path / "b.zip").read_bytes(), tmp_path / "out")
    assert error.value.key == "err.bundle_upload_unsafe"
    assert not (tmp_path / "out").exists()


def test_a_zip_with_a_bad_crc_says_it_is_damaged(tmp_path, tfidf_folder):
    data = bytearray(hostile.bundle_zip(hostile.bundle_members(tfidf_folder), tmp_path / "b.zip",
                                        zipfile.ZIP_STORED).read_bytes())
    spot = data.index(b'"tokens"') + 12
    data[spot] = ord("Z") if data[spot] != ord("Z") else ord("Y")           # the stored CRC no longer fits
    with pytest.raises(UserError) as error:
        unpack_bundle(bytes(data), tmp_path / "out")
    assert error.value.key == "err.bundle_upload_damaged" and "CRC" in str(error.value)


def test_a_keras_config_declaring_a_huge_embedding_is_refused_before_keras_builds_it(tmp_path, tiny_result):
    folder = tmp_path / "k"
    tiny_result.bundle.save(folder)
    members = hostile.bundle_members(folder)
    with zipfile.ZipFile(io.BytesIO(members["model.keras"])) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    config = json.loads(parts["config.json"])
    embedding = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Embedding")
    embedding["config"]["input_dim"] = 100_000_000                          # 6.4 GB of weights, declared
    parts["config.json"] = json.dumps(config).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    members["model.keras"] = buffer.getvalue()
    with pytest.raises(UserError) as error:
        unpack_bundle(hostile.bundle_zip(members, tmp_path / "b.zip").read_bytes(), tmp_path / "out")
    assert error.value.key == "err.bundle_upload_unsafe" and "100,000,000" in str(error.value)


def test_the_workspace_quota_counts_what_an_upload_unpacks_to(tmp_path, tfidf_folder, monkeypatch):
    members = hostile.bundle_members(tfidf_folder)
    members["README.md"] = b" " * (900 * 1024)                   # packs to a few KB, unpacks to 0.9 MB
    data = hostile.bundle_zip(members, tmp_path / "b.zip").read_bytes()
    assert len(data) < 200_000
    monkeypatch.setattr("core.store.max_workspace_mb", lambda: 0.5)
    with pytest.raises(UserError) as error:
        ModelStore(tmp_path / "data", new_workspace_id(tmp_path / "data")).import_zip(data, "big")
    assert error.value.key == "err.store_full_disk"


def test_keras_safe_mode_refuses_every_code_carrying_model():
    """The cases of bench/hostile_models.py on the installed Keras; requirements.txt's floor is
    the oldest version that refuses them all (found with `python bench/hostile_models.py
    --versions …`: 3.8–3.11 read a vocabulary file from the server's disk)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import hostile_models
    finally:
        sys.path.pop(0)
    results = [hostile_models.check(case) for case in hostile_models.CASES]
    assert all(result["refused"] for result in results), results
    floor = next(line for line in (ROOT / "requirements.txt").read_text().splitlines() if line.startswith("keras"))
    assert "keras>=3.12," in floor


# -- never delete a user's files ------------------------------------------------------------------

def _core(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_train_and_export_never_empty_a_folder_of_the_users(tmp_path, tfidf_folder):
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "notes.txt").write_text("mine")
    (project / "src" / "main.py").write_text("print('mine')")
    data = ROOT / "core" / "data" / "sample_data" / "sms_spam.csv"
    for args, cwd in ((["train", str(data), "--out", str(project), "--model", "tfidf"], tmp_path),
                      (["train", str(data), "--out", ".", "--model", "tfidf"], project),
                      (["export", str(tfidf_folder), "--savedmodel", str(project)], tmp_path)):
        done = _core(*args, cwd=cwd)
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "nothing was written and nothing deleted" in done.stderr
    assert (project / "notes.txt").read_text() == "mine" and (project / "src" / "main.py").exists()
    out = tmp_path / "model"
    for _ in range(2):      # a bundle folder is replaced by the next bundle (the usual retraining)
        assert _core("train", str(data), "--out", str(out), "--model", "tfidf", cwd=tmp_path).returncode == 0
    assert Bundle.load(out).kind == "tfidf"


# -- workspaces -----------------------------------------------------------------------------------

def test_only_issued_workspace_ids_open_a_workspace(tmp_path):
    root = tmp_path / "data"
    issued = new_workspace_id(root)
    assert known_workspace(issued, root)
    assert not known_workspace("aaaaaaaa", root) and not known_workspace("../../etc", root)
    older = "made-before-ids-were-recorded"
    (root / "workspaces" / older / "models").mkdir(parents=True)
    assert known_workspace(older, root)                      # its folder vouches for it …
    ModelStore(root).repair()
    import shutil

    shutil.rmtree(root / "workspaces" / older)
    assert known_workspace(older, root)                      # … and repair recorded it


def test_a_run_that_fills_the_disk_fails_in_plain_words(tmp_path, monkeypatch, capsys):
    """Issue 21: it failed with a raw "OSError: [Errno 28]"."""
    import errno

    from core.store import ModelStore as Store
    from core.training import worker
    from tests.core.conftest import small_sample

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Store, "add", full)
    data = small_sample(rows=200)
    job = tmp_path / "job"
    job.mkdir()
    (job / "job.json").write_text(json.dumps({
        "job_id": "j1", "texts": data.texts, "labels": data.labels, "text_column": "text", "text_columns": ["text"],
        "label_column": "label", "preprocess": {}, "model": {"embedding_dim": 8, "lstm_units": 8},
        "train": {"epochs": 1, "batch_size": 32, "checkpoint": False, "baseline": False}, "name": "full",
        "dataset_name": "sms", "store_root": str(tmp_path / "data"), "workspace": "local-workspace", "kind": "keras"}))
    assert worker.run(job) == 2
    [error] = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"error"' in line]
    assert error["key"] == "err.disk_full" and "disk is full" in error["message"]
    assert json.loads((job / "result.json").read_text())["key"] == "err.disk_full"


# -- round 3 (issue 26): the five critical cases, the majors, and the fence itself --------------------

def test_an_xlsx_whose_shared_strings_unpack_to_300_mb_is_refused_before_openpyxl_opens_it(tmp_path):
    path = hostile.xlsx_shared_strings_bomb(tmp_path / "strings.xlsx")
    assert path.stat().st_size < 3 * 2**20
    assert measured("xlsx, 300,000 shared strings of 1,000 characters", "data", path)["key"] == "err.zip_bomb"


def test_a_million_row_sheet_outside_xl_worksheets_is_counted_and_refused(tmp_path):
    path = hostile.xlsx_sheet_outside_worksheets(tmp_path / "elsewhere.xlsx")
    assert measured("xlsx, a million rows at xl/sheets/data.xml", "data", path)["key"] == "err.excel_too_many_rows"


def test_20_mb_of_empty_json_records_are_refused_at_the_row_cap(tmp_path):
    path = hostile.json_empty_records(tmp_path / "records.json")
    assert measured("JSON, 20 MB of [{},{},…]", "data", path)["key"] == "err.too_many_records"


def test_json_lines_past_the_row_cap_are_refused_as_they_are_read(tmp_path):
    path = hostile.jsonl_many_rows(tmp_path / "rows.jsonl")
    assert measured("JSON Lines, 2,000,000 rows (19 MB)", "data", path)["key"] == "err.too_many_records"


def test_a_conv1d_declaring_6_gb_of_weights_is_refused_before_keras_builds_it(tmp_path, tiny_result):
    folder = tmp_path / "k"
    tiny_result.bundle.save(folder)
    members = hostile.bundle_members(folder)
    members["model.keras"] = hostile.keras_with_layer(folder, {
        "module": "keras.layers", "class_name": "Conv1D", "name": "conv_big", "inbound_nodes": [],
        "config": {"name": "conv_big", "filters": 4096, "kernel_size": [6000], "padding": "same"}})
    path = hostile.bundle_zip(members, tmp_path / "conv.zip")
    assert path.stat().st_size < 200_000
    result = measured("bundle, Conv1D filters 4096 × kernel 6000", "bundle", path)
    assert result["key"] == "err.bundle_upload_unsafe"
    with pytest.raises(UserError, match="kernel_size"):
        ModelStore(tmp_path / "store").import_zip(path.read_bytes(), "conv")


def test_a_weights_file_of_zeros_deflated_inside_model_keras_is_refused(tmp_path, tiny_result):
    folder = tmp_path / "k"
    tiny_result.bundle.save(folder)
    members = hostile.bundle_members(folder)
    members["model.keras"] = hostile.keras_with_deflated_weights(folder)
    path = hostile.bundle_zip(members, tmp_path / "weights.zip", zipfile.ZIP_STORED)   # past the outer zip's checks
    assert path.stat().st_size < 2 * 2**20
    result = measured("bundle, model.weights.h5 of 600 MB zeros deflated in model.keras", "bundle", path)
    assert result["key"] == "err.bundle_upload_unsafe"
    with pytest.raises(UserError, match="model.weights.h5 unpacks to"):
        ModelStore(tmp_path / "store").import_zip(path.read_bytes(), "weights")


def test_deflated_arrays_inside_tfidf_npz_are_refused_before_numpy_reads_them(tmp_path, tfidf_folder):
    members = hostile.bundle_members(tfidf_folder)
    members["tfidf.npz"] = hostile.npz_deflated()
    path = hostile.bundle_zip(members, tmp_path / "npz.zip", zipfile.ZIP_STORED)   # past the outer zip's checks
    assert path.stat().st_size < 2 * 2**20
    result = measured("bundle, tfidf.npz of 600 MB zeros deflated", "bundle", path)
    assert result["key"] == "err.bundle_upload_unsafe" and "coef.npy" in str(result)


def test_a_gzipped_vectors_file_without_a_line_break_is_refused(tmp_path):
    path = hostile.gzip_without_newline(tmp_path / "vectors.vec.gz")
    assert path.stat().st_size < 2 * 2**20
    assert measured("vectors, 1 GB gzip of one line", "vectors", path)["key"] == "err.vectors_line"


def test_vectors_gzip_of_newlines_is_refused_as_a_bomb(tmp_path):
    import gzip

    path = tmp_path / "newlines.vec.gz"
    with gzip.open(path, "wb", compresslevel=1) as stream:
        for _ in range(1024):
            stream.write(b"\n" * 2**20)
    assert measured("vectors, 1 GB gzip of line breaks", "vectors", path)["key"] in ("err.vectors_bomb",
                                                                                     "err.vectors_format")


def test_a_binary_vectors_header_followed_by_nuls_is_refused(tmp_path):
    path = tmp_path / "nuls.bin"
    path.write_bytes(b"3000000 300\n" + b"\0" * (50 * 2**20))
    assert measured("vectors, binary header then 50 MB of NULs", "vectors", path)["key"] == "err.vectors_format"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_vectors_that_are_not_numbers_are_refused_at_reading(tmp_path, value):
    from core.models.vectors import read_vectors

    path = tmp_path / "v.vec"
    path.write_text(f"2 3\nhello 0.1 0.2 0.3\nworld 0.1 {value} 0.3\n")
    with pytest.raises(UserError) as error:
        read_vectors(path, {"hello", "world"})
    assert error.value.key == "err.vectors_not_finite" and error.value.params["line"] == 3


def test_a_model_whose_weights_are_not_finite_is_never_stored(tmp_path, tiny_result):
    import numpy as np

    bundle = tiny_result.bundle
    weights = bundle.model.get_weights()
    broken = [w.copy() for w in weights]
    broken[0][1, 0] = np.nan
    bundle.model.set_weights(broken)
    try:
        with pytest.raises(UserError) as error:
            bundle.save(tmp_path / "nan")
        assert error.value.key == "err.model_not_finite" and not (tmp_path / "nan").exists()
    finally:
        bundle.model.set_weights(weights)


def test_a_parse_that_needs_more_memory_than_allowed_becomes_a_message(tmp_path, monkeypatch):
    """Whatever slips past the checks hits the fence: here a legitimate 40 MB CSV with a limit
    of 64 MB for the parse. The server process stays as it was and answers the next file."""
    monkeypatch.setenv("STUDIO_PARSE_MEMORY_MB", "64")
    path = tmp_path / "big.csv"
    path.write_text("text,label\n" + "".join(f"{'word ' * 40}{i},{i % 2}\n" for i in range(200_000)))
    result = measured("CSV of 40 MB, parse memory limited to 64 MB", "data", path)
    assert result["key"] == "err.parse_memory"
    from core.data.reading import load_table

    assert len(load_table(b"text,label\nhello,a\n", "ok.csv").frame) == 1


def test_a_parse_that_runs_out_of_time_becomes_a_message(tmp_path, monkeypatch):
    """A legitimate workbook of 150,000 rows (openpyxl reads ~50,000 a second) with one second
    for the parse: stopped, said, and the next file reads."""
    import time

    from core.data.reading import load_table

    monkeypatch.setenv("STUDIO_PARSE_SECONDS", "1")
    path = hostile.xlsx_million_rows(tmp_path / "slow.xlsx", rows=150_000)
    started = time.monotonic()
    with pytest.raises(UserError) as error:
        load_table(path)
    assert error.value.key == "err.parse_time" and time.monotonic() - started < 10
    assert len(load_table(b"text,label\nhello,a\n", "ok.csv").frame) == 1


def test_a_cr_only_csv_over_1_mb_is_read(tmp_path):
    from core.data.reading import load_table

    raw = ("text,label\r" + "".join(f"an old mac line number {i},{'ab'[i % 2]}\r" for i in range(40_000))).encode()
    assert len(raw) > 2**20
    table = load_table(raw, "mac.csv")
    assert len(table.frame) == 40_000 and list(table.frame.columns) == ["text", "label"]
