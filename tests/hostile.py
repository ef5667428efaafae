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
    """Read (``kind="data"``) or unpack (``"bundle"``) ``path`` as the app does, in a fresh
    interpreter: ``{"key", "seconds", "peak_mb"}`` (peak memory above its baseline; ``key`` is
    the error's catalog key, ``None`` when the file was accepted)."""
    code = f"""
import json, resource, sys, time
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from core.errors import UserError
from core.data import load_table
from core.package import unpack_bundle
import numpy, pandas, openpyxl, zipfile
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
key = None
try:
    if {kind!r} == "data":
        load_table(Path({str(path)!r}))
    else:
        unpack_bundle(Path({str(path)!r}).read_bytes(), Path({str(path)!r} + ".unpacked"))
except UserError as error:
    key = error.key
print(json.dumps({{"key": key, "seconds": round(time.perf_counter() - started, 2),
                  "peak_mb": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024, 1)}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    if done.returncode:
        return {"key": None, "crash": done.stderr.strip().splitlines()[-1][:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])
