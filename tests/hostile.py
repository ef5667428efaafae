"""Hostile files, made small on disk by the tests themselves (issue 21), and a measurement of
what refusing each costs: ``refusal(kind, path)`` runs the app's own reading or unpacking of the
file in a fresh interpreter and reports the error's key, the seconds and the peak memory above
that interpreter's baseline (after its imports)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def xlsx_last_cell(path: Path) -> Path:
    """A 5 KB workbook: a small table, and one cell at XFD1048576, the last cell of a sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["text", "label"])
    for i in range(6):
        sheet.append([f"text {i}", "a" if i % 2 else "b"])
    sheet["XFD1048576"] = "x"
    book.save(path)
    return path


def _xlsx_from_sheet_xml(path: Path, sheet_xml: str) -> Path:
    """A minimal workbook around one sheet's XML (deflated, so a million rows stay small)."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def xlsx_million_rows(path: Path, rows: int = 1_048_575) -> Path:
    """A workbook of a header and a million one-cell rows (about 2 MB on disk)."""
    body = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>t</t></is></c><c r="B{i}"><v>1</v></c></row>'
                   for i in range(2, rows + 2))
    xml = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c><c r="B1" t="inlineStr"><is><t>label</t></is></c></row>'
           + body + "</sheetData></worksheet>")
    return _xlsx_from_sheet_xml(path, xml)


def csv_long_first_field(path: Path, columns: int = 5_000, rows: int = 2_000) -> Path:
    """A CSV whose header starts with a 70 KB quoted field, hiding 5,000 columns behind it, and
    2,000 rows of 5,000 empty cells (10 MB): ten million cells for pandas to build."""
    header = '"' + "x" * 70_000 + '",' + ",".join(f"c{i}" for i in range(columns))
    path.write_text(header + "\n" + ("," * columns + "\n") * rows)
    return path


def zip_many_packed_texts(path: Path, members: int = 700, size: int = 2**20) -> Path:
    """A zip of 700 label-folder texts of 1 MB each, every one packed a few hundred times."""
    text = b"spam " * (size // 5)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for i in range(members):
            archive.writestr(f"{'spam' if i % 2 else 'ham'}/{i}.txt", text)
    return path


def bundle_members(source: Path) -> dict:
    """The files of a real bundle folder, by name."""
    return {item.name: item.read_bytes() for item in source.iterdir() if item.is_file()}


def bundle_zip(members: dict, path: Path, compress=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compress) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def npz_declaring(rows: int, columns: int) -> bytes:
    """A ``tfidf.npz`` whose ``coef`` header declares ``rows × columns`` float64 values (2 GB for
    16,384 × 16,384) while the member holds a few bytes: numpy would allocate it all first."""
    import numpy as np

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in (("idf", np.ones(3)), ("intercept", np.zeros(2)), ("analyzer", np.array("words"))):
            member = io.BytesIO()
            np.save(member, array)
            archive.writestr(f"{name}.npy", member.getvalue())
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (rows, columns)})
        archive.writestr("coef.npy", header.getvalue() + b"\0" * 64)
    return buffer.getvalue()


def refusal(kind: str, path: Path, *args: str) -> dict:
    """Read (``kind="data"``), unpack (``"bundle"``, as an upload to the store) or check
    (``"vectors"``, as the Train page does) ``path`` as the app does, in a fresh interpreter:
    ``{"key", "seconds", "peak_mb", "child_peak_mb"}`` (``peak_mb``: the app process's peak
    memory above its baseline; ``child_peak_mb``: the fenced child's, which the app survives;
    ``key``: the error's catalog key, ``None`` when the file was accepted)."""
    code = f"""
import json, resource, sys, time
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from core.base.errors import UserError
from core.data.dataset import load_table
from core.models.package import import_bundle
from core.base import fence
from core.text import PreprocessConfig
from core.models.vectors import file_coverage
import numpy, pandas, openpyxl, zipfile
raw = Path({str(path)!r}).read_bytes() if {kind!r} == "bundle" else None
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
key = message = None
try:
    if {kind!r} == "data":
        load_table(Path({str(path)!r}))
    elif {kind!r} == "vectors":
        file_coverage(Path({str(path)!r}), ["a text with some words"], PreprocessConfig())
    else:
        import_bundle(raw, Path({str(path)!r} + ".unpacked"))
except UserError as error:
    key, message = error.key, str(error)[:300]
print(json.dumps({{"key": key, "message": message, "seconds": round(time.perf_counter() - started, 2),
                  "peak_mb": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024, 1),
                  "child_peak_mb": fence.last_run().get("child_peak_mb")}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    if done.returncode:
        return {"key": None, "crash": done.stderr.strip().splitlines()[-1][:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- round 3 (issue 26) ---------------------------------------------------------------------------

_SHEET = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
          '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row></sheetData></worksheet>')


def xlsx_shared_strings_bomb(path: Path, strings: int = 300_000, length: int = 1000) -> Path:
    """A workbook of a 2-row sheet whose shared strings are ``strings`` texts of ``length``
    characters (300 MB unpacked, ~1 MB on disk): openpyxl loads every one on opening."""
    one = "<si><t>" + "x" * length + "</t></si>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        _write_workbook_frame(archive, "worksheets/sheet1.xml", shared=True)
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                         b'spreadsheetml/2006/main">')
            block = (one * 1000).encode()
            for _ in range(strings // 1000):
                member.write(block)
            member.write(b"</sst>")
    return path


def xlsx_sheet_outside_worksheets(path: Path, rows: int = 1_048_575) -> Path:
    """A workbook whose only sheet lives at ``xl/sheets/data.xml`` (its relationships say so),
    holding a million rows (~2 MB on disk)."""
    body = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>t</t></is></c><c r="B{i}"><v>1</v></c></row>'
                   for i in range(2, rows + 2))
    xml = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c><c r="B1" t="inlineStr"><is><t>label</t></is></c></row>'
           + body + "</sheetData></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_workbook_frame(archive, "sheets/data.xml", shared=False)
        archive.writestr("xl/sheets/data.xml", xml)
    return path


def _write_workbook_frame(archive: zipfile.ZipFile, sheet_target: str, shared: bool) -> None:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    override = (f'<Override PartName="/xl/{sheet_target}" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.worksheet+xml"/>')
    if shared:
        override += ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     'officedocument.spreadsheetml.sharedStrings+xml"/>')
    archive.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                     'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
                     'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/'
                     'xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                     f'officedocument.spreadsheetml.sheet.main+xml"/>{override}</Types>')
    archive.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels}">'
                     f'<Relationship Id="rId1" Type="{office}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    archive.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" '
                     f'xmlns:r="{office}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    strings = f'<Relationship Id="rId2" Type="{office}/sharedStrings" Target="sharedStrings.xml"/>' if shared else ""
    archive.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships '
                     f'xmlns="{rels}"><Relationship Id="rId1" Type="{office}/worksheet" Target="{sheet_target}"/>'
                     f'{strings}</Relationships>')


def json_empty_records(path: Path, megabytes: int = 20) -> Path:
    """``[{},{},…]``: 20 MB of empty records (seven million rows)."""
    count = megabytes * 2**20 // 3
    path.write_bytes(b"[" + b"{}," * count + b"{}]")
    return path


def jsonl_many_rows(path: Path, rows: int = 2_000_000) -> Path:
    """JSON Lines of two million one-field rows (~24 MB)."""
    path.write_bytes(b'{"t":"a"}\n' * rows)
    return path


def keras_with_layer(source: Path, layer: dict) -> bytes:
    """The ``model.keras`` of the bundle folder ``source`` with ``layer`` added to its config."""
    with zipfile.ZipFile(source / "model.keras") as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    config = json.loads(parts["config.json"])
    config["config"]["layers"].append(layer)
    parts["config.json"] = json.dumps(config).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def keras_with_deflated_weights(source: Path, megabytes: int = 600) -> bytes:
    """The ``model.keras`` of ``source`` whose ``model.weights.h5`` is ``megabytes`` of zeros,
    deflated inside it (~0.6 MB)."""
    with zipfile.ZipFile(source / "model.keras") as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist() if not info.filename.endswith(".h5")}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with archive.open("model.weights.h5", "w", force_zip64=True) as member:
            block = b"\0" * 2**20
            for _ in range(megabytes):
                member.write(block)
    return buffer.getvalue()


def npz_deflated(megabytes: int = 600) -> bytes:
    """A ``tfidf.npz`` whose ``coef`` is really ``megabytes`` of zeros, deflated (~0.6 MB)."""
    import numpy as np

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in (("idf", np.ones(3)), ("intercept", np.zeros(2)), ("analyzer", np.array("words"))):
            member = io.BytesIO()
            np.save(member, array)
            archive.writestr(f"{name}.npy", member.getvalue())
        rows = megabytes * 2**20 // 8 // 3
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (rows, 3)})
        with archive.open("coef.npy", "w", force_zip64=True) as member:
            member.write(header.getvalue())
            block = b"\0" * (3 * 8 * 4096)
            for _ in range(rows // 4096):
                member.write(block)
            member.write(b"\0" * (3 * 8 * (rows % 4096)))
    return buffer.getvalue()


def gzip_without_newline(path: Path, megabytes: int = 1024) -> Path:
    """A gzipped "vectors file" of ``megabytes`` of zeros and no line break (~1 MB on disk)."""
    import gzip

    with gzip.open(path, "wb", compresslevel=9) as stream:
        block = b"0" * 2**20
        for _ in range(megabytes):
            stream.write(block)
    return path
