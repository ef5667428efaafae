"""Reading whatever a user uploads into a table, or saying plainly why it cannot be read.

:func:`load_table` looks at the bytes, not only the file name: a CSV renamed to ``.xlsx`` is
read as CSV, an Excel workbook renamed to ``.csv`` as Excel, and a PNG, PDF or web page is
named as such. Text is decoded with the detected encoding (byte-order marks, UTF-8, then
charset-normalizer for GBK, Big5, Shift-JIS, Windows-1252 …; a file that mixes UTF-8 lines
with lines in another encoding is read line by line). Supported: delimited text (``,`` ``;``
tab ``|``, sniffed), Excel ``.xlsx``/``.xls`` (a chosen sheet), JSON Lines and JSON records, and
a ``.zip`` of label folders of ``.txt`` files (Keras's ``text_dataset_from_directory`` layout) or
holding a single table. What the reader noticed on the way (a renamed file, removed NUL
bytes, skipped malformed lines, formulas without saved values) is kept as findings.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from core.base import deployment
from core.base.errors import UserError
from core.data.findings import Finding
from core.text import mend_surrogates
from core.base import fence
from core.base.wire import bytes_frame
from dataclasses import asdict
from core.base.wire import frame_bytes

DELIMITERS = ",;\t|"
PREFERRED_ENCODINGS = ("gb18030", "big5", "cp1252", "utf_16", "cp932", "shift_jis")
MAX_FILE_MB = deployment.value("STUDIO_MAX_FILE_MB")   # keep equal to .streamlit/config.toml
MAX_FILE_BYTES = MAX_FILE_MB * 2**20
MAX_COLUMNS = 1000
MAX_CELLS = 20_000_000       # rows × columns of a table: a 300,000-row table may have 66 columns
DEFAULT_MAX_ROWS = deployment.BY_NAME["STUDIO_MAX_ROWS"].default   # more rows: a sample, with the user's consent
MAX_LINES_FACTOR = 4         # a delimited file of more lines than 4 × the row cap is not read at all
MAX_UNZIPPED_BYTES = MAX_FILE_BYTES   # a zip unpacks to at most what one file may hold
MAX_ZIP_RATIO = 200          # deflate packs text about 3-10×; a member packed 200× is a bomb
MAX_ZIP_MEMBERS = 200_000
DETECT_BYTES = 256 * 1024    # what charset-normalizer looks at
CHUNK = 16 * 2**20

DELIMITED = (".csv", ".tsv", ".txt", ".tab", ".dat", "")
EXCEL = (".xlsx", ".xlsm", ".xls")
JSON = (".jsonl", ".json", ".ndjson")
ZIP = (".zip",)
# What the upload widgets accept (Streamlit wants extensions without the dot).
UPLOAD_TYPES = [suffix.lstrip(".") for suffix in DELIMITED + EXCEL + JSON + ZIP if suffix]

# What a file really is, by its first bytes: (magic, kind shown to the user).
MAGIC = (
    (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"), (b"\x1f\x8b", "gzip archive"), (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7-Zip archive"), (b"{\\rtf", "RTF document"),
)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # legacy .xls / .doc
HTML = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?<(!doctype html|html|table|head|body)", re.IGNORECASE)


def max_rows() -> int:
    """The row cap (``STUDIO_MAX_ROWS``, default 300,000): more rows need a sample."""
    return deployment.value("STUDIO_MAX_ROWS")


@dataclass
class Table:
    """A table as read from a file, with how it was read (shown to the user, overridable)."""

    frame: pd.DataFrame
    name: str
    encoding: str | None = None     # None for Excel
    delimiter: str | None = None    # None for Excel, JSON and zip
    sheet: str | None = None        # the Excel sheet read
    sheets: list[str] = field(default_factory=list)
    kind: str = "csv"               # csv | excel | json | zip
    findings: list = field(default_factory=list)   # core.data.findings.Finding noticed while reading
    # With keep_bad_lines: row position -> (line number, values on that line) of each line that had
    # more values than the header, kept as a row instead of skipped.
    kept_lines: dict = field(default_factory=dict)


def read_table(source, filename: str | None = None, encoding: str | None = None,
               sheet: str | None = None) -> pd.DataFrame:
    """Read a delimited text, Excel, JSON (Lines) or zip file into a DataFrame of strings.

    Parameters
    ----------
    source : str, Path, bytes or file-like
        The file. Bytes and file-likes need ``filename`` to tell the format.
    filename : str, optional
        Name whose extension hints at the format (``.csv``, ``.tsv``, ``.txt``, ``.xlsx``,
        ``.xls``, ``.jsonl``, ``.json``, ``.zip``); the content decides when they disagree.
    encoding : str, optional
        Force an encoding for text; otherwise it is detected.
    sheet : str, optional
        Excel sheet to read; the first one by default.

    Returns
    -------
    pandas.DataFrame
        Text columns hold strings (``007`` stays ``007``); missing cells are missing.

    Raises
    ------
    UserError
        If the file is empty, too large, of an unknown kind, or cannot be parsed.

    Examples
    --------
    >>> read_table(b"text,label\\nhello,a\\n", "x.csv").shape
    (1, 2)
    """
    return load_table(source, filename, encoding, sheet).frame


def load_table(source, filename: str | None = None, encoding: str | None = None,
               sheet: str | None = None, keep_bad_lines: bool = False) -> Table:
    """Like :func:`read_table`, but also says how the file was read (see :class:`Table`).
    ``keep_bad_lines``: a delimited file's lines with more values than its header stay rows
    (listed in ``Table.kept_lines``) instead of being skipped: a file to predict keeps one output
    row per input row."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        filename = filename or path.name
        if not path.exists():
            raise UserError("err.file_not_found", path=str(path))
        if path.is_dir():
            raise UserError("err.file_is_folder", path=str(path))
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UserError("err.file_too_large", mb=f"{path.stat().st_size / 2**20:.1f}", limit=MAX_FILE_MB)
        raw = path.read_bytes()
    elif isinstance(source, (bytes, bytearray, memoryview)):
        raw = bytes(source)
    else:
        raw = source.read()
    return fenced_table_from_bytes(raw, filename or "data.csv", encoding, sheet, keep_bad_lines)


def read_pasted(text: str) -> Table:
    """Read rows pasted from a spreadsheet or typed (tab, comma, semicolon or pipe separated,
    first line the header). Lone surrogates become U+FFFD (see :func:`core.text.mend_surrogates`)."""
    return fenced_table_from_bytes(mend_surrogates(text).strip("\n").encode("utf-8"), "pasted.txt", "utf-8")


def fenced_table_from_bytes(raw: bytes, name: str, encoding: str | None = None, sheet: str | None = None,
                            keep_bad_lines: bool = False) -> Table:
    """:func:`table_from_bytes` in a fenced child process (:mod:`core.base.fence`): the file's bytes
    are parsed under a memory and a time limit, and only the finished table comes back."""
    if len(raw) > MAX_FILE_BYTES:   # said before the bytes travel to the child
        raise UserError("err.file_too_large", mb=f"{len(raw) / 2**20:.1f}", limit=MAX_FILE_MB)
    meta, (frame_data,) = fence.fenced("table", raw, name, encoding, sheet, keep_bad_lines)
    frame = bytes_frame(frame_data)
    if meta["kind"] == "csv":   # pandas' CSV reader marks a missing cell NaN, and the checks expect it
        frame = frame.where(frame.notna(), float("nan"))
    findings = [Finding(**finding) for finding in meta["findings"]]
    kept = {int(position): tuple(line) for position, line in meta["kept_lines"].items()}
    return Table(frame=frame, name=meta["name"], encoding=meta["encoding"], delimiter=meta["delimiter"],
                 sheet=meta["sheet"], sheets=meta["sheets"], kind=meta["kind"], findings=findings, kept_lines=kept)


def fenced_table(raw: bytes, name: str, encoding: str | None, sheet: str | None,
                 keep_bad_lines: bool = False) -> tuple[dict, list[bytes]]:
    """The fenced task behind :func:`fenced_table_from_bytes` (runs in the child)."""

    table = table_from_bytes(raw, name, encoding, sheet, keep_bad_lines)
    meta = {"name": table.name, "encoding": table.encoding, "delimiter": table.delimiter, "sheet": table.sheet,
            "sheets": table.sheets, "kind": table.kind, "rows": len(table.frame),
            "findings": [asdict(finding) for finding in table.findings],
            "kept_lines": {str(position): list(line) for position, line in table.kept_lines.items()}}
    return meta, [frame_bytes(table.frame)]


def table_from_bytes(raw: bytes, name: str, encoding: str | None = None, sheet: str | None = None,
                     keep_bad_lines: bool = False) -> Table:
    """Read a file's bytes; ``name`` gives the extension hint and the name shown in messages.
    This parses in the calling process: the app reads uploads with :func:`load_table` (fenced)."""
    if len(raw) > MAX_FILE_BYTES:
        raise UserError("err.file_too_large", mb=f"{len(raw) / 2**20:.1f}", limit=MAX_FILE_MB)
    if not raw.strip():
        raise UserError("err.file_empty", name=name)
    suffix = Path(name).suffix.lower()
    if suffix not in DELIMITED + EXCEL + JSON + ZIP:
        raise UserError("err.unknown_format", name=name)
    kind = _sniff(raw, suffix, name)
    table = Table(frame=pd.DataFrame(), name=name, kind=kind)
    if kind == "excel" and suffix not in EXCEL or kind == "csv" and suffix in EXCEL:
        table.findings.append(Finding("format_mismatch", 1, "find.format_mismatch",
                                      {"name": name, "kind": {"excel": "Excel", "csv": "CSV"}[kind]}, "info"))
    try:
        if kind == "excel":
            table.sheets, table.sheet, table.frame = _read_excel(raw, sheet, name, table.findings)
        elif kind == "zip":
            return _read_zip(raw, name, encoding, sheet, keep_bad_lines)
        elif kind == "json":
            text, table.encoding = decode(raw, encoding)
            table.frame = _read_json(text, name)
        else:
            _read_delimited(raw, encoding, table, keep_bad_lines)
    except (UserError, MemoryError):   # a MemoryError is the fence's limit: core.base.fence says so
        raise
    except Exception as error:  # pandas/openpyxl/xlrd raise many types for a malformed file
        if "out of memory" in str(error).lower():   # pandas' C parser says so in its own words
            raise MemoryError(str(error)) from None
        detail = str(error).splitlines()[0][:200] if str(error).strip() else type(error).__name__
        raise UserError("err.unreadable", name=name, detail=detail) from None
    frame = table.frame
    if len(frame.columns) == 0:
        raise UserError("err.file_empty", name=name)
    if frame.empty:
        raise UserError("err.header_only", name=name, columns=", ".join(map(str, frame.columns[:10])))
    if len(frame.columns) > MAX_COLUMNS:
        raise UserError("err.too_many_columns", name=name, n=len(frame.columns), limit=MAX_COLUMNS)
    frame.columns = _column_names(frame.columns)
    if kind != "csv":
        frame = frame.astype(object).where(frame.notna(), None)
    table.frame = frame
    return table


def _column_names(columns) -> list[str]:
    """Strip names, name the unnamed ("column 3") and make repeated names unique."""
    names, seen = [], set()
    for index, column in enumerate(columns, start=1):
        name = str(column).strip().lstrip("\ufeff")
        if not name or name.startswith("Unnamed:"):
            name = f"column {index}"
        base, n = name, 2
        while name in seen:
            name, n = f"{base} ({n})", n + 1
        seen.add(name)
        names.append(name)
    return names


def _sniff(raw: bytes, suffix: str, name: str) -> str:
    """What the bytes are: "excel", "zip", "json" or "csv"; other known kinds are refused."""
    head = raw[:8]
    if head.startswith(b"PK"):
        try:
            members = set(zipfile.ZipFile(io.BytesIO(raw)).namelist())
        except zipfile.BadZipFile:
            if suffix in EXCEL:
                raise UserError("err.unreadable", name=name, detail="damaged workbook") from None
            raise UserError("err.damaged_zip", name=name) from None
        if "xl/workbook.xml" in members:
            return "excel"
        if "word/document.xml" in members or "ppt/presentation.xml" in members:
            raise UserError("err.wrong_kind", name=name, kind="Word/PowerPoint document")
        return "zip"
    if head == OLE:
        return "excel"
    for magic, kind in MAGIC:
        if head.startswith(magic):
            raise UserError("err.wrong_kind", name=name, kind=kind)
    if HTML.match(raw[:1024]):
        raise UserError("err.html_table", name=name)
    if suffix in ZIP:
        raise UserError("err.damaged_zip", name=name)
    if suffix in JSON:
        return "json"
    if _looks_binary(raw[:65536]):
        raise UserError("err.binary_file", name=name)
    return "csv"


def _looks_binary(sample: bytes) -> bool:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(sample):
        return False
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    return controls > 0.05 * len(sample)


def _utf16_without_bom(sample: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when every other byte is NUL, as in UTF-16 ASCII-range text."""
    even, odd = sample[0:2000:2], sample[1:2000:2]
    if len(sample) >= 8:
        if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    return None


def _decodes(raw: bytes, encoding: str) -> bool:
    """Whether all of ``raw`` decodes as ``encoding``, without holding the decoded text."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), CHUNK):
            decoder.decode(view[start:start + CHUNK], final=start + CHUNK >= len(raw))
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(raw: bytes) -> str:
    """The encoding to read ``raw`` with: BOM, UTF-8, UTF-16 without BOM, then the best of
    charset-normalizer's guesses that decodes the whole file (ties go to the encodings office
    software writes: GB18030, Big5, Windows-1252 …). ``"mixed"`` when UTF-8 lines are mixed
    with lines in another encoding. Latin-1, which decodes anything, is the last resort."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    utf16 = _utf16_without_bom(raw[:4096])   # before UTF-8: UTF-16 ASCII is valid UTF-8 with NULs
    if utf16 and _decodes(raw, utf16):
        return utf16
    if _decodes(raw, "utf-8"):
        return "utf-8"
    if _mostly_utf8(raw):
        return "mixed"
    # lazy: the encoding detector loads only when a file is not UTF-8
    from charset_normalizer import from_bytes

    matches = list(from_bytes(raw[:DETECT_BYTES]))
    candidates = []
    if matches:
        # Short texts fit several code pages equally well (GBK bytes also read as Korean,
        # Windows-1252 as Central European); among the equally good, prefer the ones our
        # users' office software writes.
        chaos = min(match.chaos for match in matches)
        coherence = max(match.coherence for match in matches)
        near = [match.encoding for match in matches
                if match.chaos <= chaos + 0.1 and match.coherence >= coherence - 0.05]
        candidates = [name for name in PREFERRED_ENCODINGS if name in near] + near
    for candidate in candidates + ["gb18030", "cp1252"]:
        if _decodes(raw, candidate):
            if candidate not in MULTIBYTE and candidate != "cp1252" and _western(raw[:DETECT_BYTES]):
                # Short Western text fits many single-byte code pages (cp775, cp850 …);
                # office software on Western systems writes Windows-1252.
                return "cp1252"
            return candidate
    return "latin-1"


MULTIBYTE = {"gb18030", "gbk", "gb2312", "hz", "big5", "big5hkscs", "cp950", "cp932", "shift_jis",
             "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_kr", "cp949", "johab", "utf_16", "utf_32",
             "utf_16_le", "utf_16_be", "utf_8", "iso2022_jp", "iso2022_kr"}


def _western(sample: bytes) -> bool:
    """Whether ``sample`` reads as Windows-1252 text with mostly ASCII letters (as Western
    European languages are; Cyrillic or Greek bytes would turn nearly every letter accented)."""
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    letters = [char for char in text if char.isalpha()]
    accented = sum(1 for char in letters if not char.isascii())
    return bool(letters) and accented < 0.3 * len(letters)


def _mostly_utf8(raw: bytes) -> bool:
    """True when most non-ASCII lines are valid UTF-8 but some are not (two files pasted
    together, or one system exporting in two encodings)."""
    good = bad = 0
    for line in raw.split(b"\n"):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad += 1
    return good > 0 and bad > 0 and good >= bad


def _decode_mixed(raw: bytes) -> tuple[str, str, int]:
    """Decode UTF-8 lines as UTF-8 and the others with the encoding detected on them alone."""
    lines = raw.split(b"\n")
    foreign = []
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            foreign.append(line)
    other = detect_encoding(b"\n".join(foreign))
    if other in ("mixed", "utf-8", "utf-8-sig"):
        other = "gb18030"
    decoded = []
    for line in lines:
        try:
            decoded.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            decoded.append(line.decode(other, errors="replace"))
    return "\n".join(decoded), other, len(foreign)


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file; returns ``(text, encoding used)``.

    Raises
    ------
    UserError
        If a forced ``encoding`` is unknown or cannot decode the bytes.
    """
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            raise UserError("err.bad_encoding", encoding=encoding) from None
    detected = detect_encoding(raw)
    if detected == "mixed":
        text, other, _ = _decode_mixed(raw)
        return text, f"utf-8 + {other}"
    if detected == "utf-8-sig":
        return raw[3:].decode("utf-8", errors="replace"), detected
    return raw.decode(detected), detected


def _read_delimited(raw: bytes, encoding: str | None, table: Table, keep_bad_lines: bool = False) -> None:
    """Parse delimited text straight from the bytes (pandas decodes as it goes, so a 200 MB
    file is not held a second time as one big string). ``keep_bad_lines``: a line with more
    values than the header stays a row (its values past the header's left out), listed in
    ``table.kept_lines`` (see :func:`_with_bad_lines`), instead of being skipped."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UserError("err.bad_encoding", encoding=encoding) from None
        if not _decodes(raw, encoding):
            raise UserError("err.bad_encoding", encoding=encoding)
        used = encoding
    else:
        used = detect_encoding(raw)
    source: io.StringIO | io.BytesIO | None = None
    if used == "mixed":
        text, other, count = _decode_mixed(raw)
        used = f"utf-8 + {other}"
        table.findings.append(Finding("mixed_encoding", count, "find.mixed_encoding", {"n": count, "encoding": other}))
        source = io.StringIO(text.replace("\x00", ""))
        sample = text[:65536]
    else:
        if not used.startswith("utf-16") and b"\n" not in raw and b"\r" in raw:
            raw = raw.replace(b"\r", b"\n")   # old Mac line ends: the checks below count lines by "\n"
        if not used.startswith("utf-16") and b"\x00" in raw:
            nuls = raw.count(b"\x00")
            raw = raw.replace(b"\x00", b"")
            table.findings.append(Finding("nul_bytes", nuls, "find.nul_bytes", {"n": nuls}, "info"))
        sample = raw[:65536].decode(used, errors="ignore")
        if used.startswith("utf-16"):  # pandas' C parser reads UTF-16 wrongly from bytes
            source = io.StringIO(raw.decode(used).replace("\x00", ""))
    table.encoding = used
    header = sample.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = sniff_delimiter(header)
    _check_shape(raw if source is None else None, source, used, delimiter, table.name)
    if source is None:
        source = io.BytesIO(raw)
    # dtype=object: Python strings straight from the parser. pandas' "str" dtype would convert
    # them to Arrow afterwards, with both copies alive at the peak (4.4× a 200 MB file vs 2.2×).
    # index_col=False: when every line has one value more than the header, pandas would otherwise
    # quietly make the first column the row index (and it would vanish from the columns).
    options = dict(sep=delimiter, dtype=object, keep_default_na=False, na_values=[""], skip_blank_lines=True,
                   on_bad_lines="warn", index_col=False)
    if isinstance(source, io.BytesIO):
        options["encoding"] = "utf-8" if used == "utf-8-sig" else used
        options["encoding_errors"] = "replace"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(source, **options)
        except pd.errors.ParserError as error:
            found = re.search(r"EOF inside string starting at row (\d+)", str(error))
            if found:
                raise UserError("err.unclosed_quote", name=table.name, line=int(found.group(1)) + 1) from None
            raise
    skipped = [int(n) for warning in caught for n in re.findall(r"Skipping line (\d+)", str(warning.message))]
    kept = None
    if skipped and keep_bad_lines:
        assert source is not None   # set above: a text or the bytes
        source.seek(0)
        kept = _with_bad_lines(source, options, list(frame.columns), skipped)
        if kept is not None:
            frame, table.kept_lines = kept
    keep_bad_lines = kept is not None
    if skipped:
        shown = ", ".join(map(str, skipped[:10])) + (" …" if len(skipped) > 10 else "")
        key = "find.kept_lines" if keep_bad_lines else "find.skipped_lines"
        table.findings.append(Finding("kept_lines" if keep_bad_lines else "skipped_lines", len(skipped),
                                      key + ("_one" if len(skipped) == 1 else ""), {"n": len(skipped), "lines": shown}))
    if any("Length of header or names does not match" in str(warning.message) for warning in caught):
        table.findings.append(Finding("extra_fields", len(frame), "find.extra_fields", {"name": table.name}))
    if len(frame.columns) and str(frame.columns[0]).startswith("\ufeff"):
        frame = frame.rename(columns={frame.columns[0]: str(frame.columns[0]).lstrip("\ufeff")})
    table.frame, table.delimiter = frame, delimiter


BAD_LINE = "\x00studio:bad-line"   # a column name no file has


def _with_bad_lines(source, options: dict, columns: list, skipped: list) -> tuple[pd.DataFrame, dict] | None:
    """Read again, keeping every line with more values than the header as a row (its first
    values, one per column): ``(frame, {row position: (line number, values on that line)})``.
    pandas' Python parser hands such lines to a function; one more column marks them, so each
    row is known. The line numbers are those the first reading reported, in order; ``None`` when
    the two readings disagree on which lines those are (the caller then keeps the first)."""
    width = len(columns)

    def keep(fields):
        return list(fields[:width]) + [f"\x00{len(fields)}"]

    # An empty value in the marking column is a value (a line ending in one delimiter too many),
    # only a missing one is NaN.
    again = {**options, "engine": "python", "on_bad_lines": keep, "names": columns + [BAD_LINE], "header": None,
             "skiprows": 1,
             "na_values": {**{column: [""] for column in columns}, BAD_LINE: []}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = pd.read_csv(source, **again)
    marks = frame[BAD_LINE]
    positions = [position for position, mark in enumerate(marks) if isinstance(mark, str)]
    if len(positions) != len(skipped):
        return None
    counts = [int(mark[1:]) if mark.startswith("\x00") else width + 1 for mark in marks.iloc[positions]]
    return frame.drop(columns=[BAD_LINE]), {position: (line, count)
                                            for position, line, count in zip(positions, skipped, counts)}


HEADER_WINDOW = 2**20   # the header record (quoted line breaks and all) must end within this


def _check_shape(raw: bytes | None, text, encoding: str, delimiter: str, name: str) -> None:
    """Refuse a delimited table that would not fit, before pandas reads it: the header record
    is parsed as CSV (a quoted field may hold delimiters and line breaks, so a 70 KB first field
    cannot hide 5,000 columns behind it), then columns, lines and cells are counted. A header
    that does not end within 1 MB is no header."""
    if raw is not None:
        head = raw[:HEADER_WINDOW].decode("utf-8" if encoding == "utf-8-sig" else encoding, errors="ignore")
        lines = raw.count(b"\n") + 1
    else:
        head = text.getvalue()[:HEADER_WINDOW]
        lines = text.getvalue().count("\n") + 1
    reader = csv.reader(io.StringIO(head.lstrip("\ufeff")), delimiter=delimiter)
    before = csv.field_size_limit(HEADER_WINDOW)
    try:
        fields = next(reader, [])
        ended = reader.line_num < head.count("\n") + 1 or len(head) < HEADER_WINDOW
    except csv.Error:
        fields, ended = [], False
    finally:
        csv.field_size_limit(before)
    if not ended:
        raise UserError("err.header_too_long", name=name, kb=HEADER_WINDOW // 1024)
    if len(fields) > MAX_COLUMNS:
        raise UserError("err.too_many_columns", name=name, n=len(fields), limit=MAX_COLUMNS)
    if lines > MAX_LINES_FACTOR * max_rows():
        raise UserError("err.too_many_lines", name=name, lines=f"{lines:,}", limit=f"{MAX_LINES_FACTOR * max_rows():,}")
    if lines * max(1, len(fields)) > MAX_CELLS:
        raise UserError("err.too_many_cells", name=name, rows=f"{lines:,}", columns=len(fields), limit=f"{MAX_CELLS:,}")


def sniff_delimiter(header: str) -> str:
    """The delimiter of a header line: csv.Sniffer among ``, ; tab |``, else the most frequent."""
    try:
        return csv.Sniffer().sniff(header + "\n", delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in DELIMITERS}
        return max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","


def _read_json(text: str, name: str = "data.json") -> pd.DataFrame:
    """JSON records (``[{...}, ...]``), a column mapping (``{"text": [...], ...}``), an object
    holding one list of records (``{"data": [...]}``), or JSON Lines.

    Records and JSON Lines are streamed (``ijson``, line by line) and counted as they come: more
    than :data:`MAX_LINES_FACTOR` × the row cap is refused before the table is built (20 MB of
    ``[{},{},…]`` is six million records)."""
    text = text.strip().lstrip("\ufeff")
    limit = MAX_LINES_FACTOR * max_rows()
    if text.startswith("["):
        rows = _json_records(text, name, limit)
    elif _json_lines(text):
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise UserError("err.bad_json", line=number, detail=error.msg) from None
            if not isinstance(row, dict):
                raise UserError("err.json_shape")
            rows.append(row)
            if len(rows) > limit:
                raise UserError("err.too_many_records", name=name, limit=f"{limit:,}")
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise UserError("err.bad_json", line=error.lineno, detail=error.msg) from None
        if not isinstance(data, dict):
            raise UserError("err.json_shape")
        lists = [value for value in data.values() if isinstance(value, list)]
        if len(lists) == len(data) and len({len(value) for value in lists}) == 1 and not any(
                isinstance(item, dict) for item in lists[0]):
            rows = [dict(zip(data, values)) for values in zip(*data.values())]
        elif len(lists) == 1 and all(isinstance(item, dict) for item in lists[0]):
            rows = lists[0]
        else:
            rows = [data]
        if len(rows) > limit:
            raise UserError("err.too_many_records", name=name, limit=f"{limit:,}")
    if not all(isinstance(row, dict) for row in rows):
        raise UserError("err.json_shape")
    columns = len({key for row in rows[:1000] for key in row})
    if len(rows) * max(1, columns) > MAX_CELLS:
        raise UserError("err.too_many_cells", name=name, rows=f"{len(rows):,}", columns=columns, limit=f"{MAX_CELLS:,}")
    frame = pd.DataFrame.from_records(
        [{key: json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value
          for key, value in row.items()} for row in rows])
    return frame


def _json_lines(text: str) -> bool:
    """Whether ``text`` is JSON Lines: its first line a whole JSON value and more lines after."""
    first, _, rest = text.partition("\n")
    if not rest.strip():
        return False
    try:
        json.loads(first)
    except json.JSONDecodeError:
        return False
    return True


def _json_records(text: str, name: str, limit: int) -> list:
    """The records of a JSON array, streamed (``ijson``) and counted: refused past ``limit``."""
    # lazy: the streaming JSON parser loads only for large JSON files
    import ijson

    rows = []
    try:
        for row in ijson.items(io.StringIO(text), "item", use_float=True):
            if not isinstance(row, dict):
                raise UserError("err.json_shape")
            rows.append(row)
            if len(rows) > limit:
                raise UserError("err.too_many_records", name=name, limit=f"{limit:,}")
    except ijson.JSONError:
        try:   # the standard parser names the line and the fault
            json.loads(text)
        except json.JSONDecodeError as error:
            raise UserError("err.bad_json", line=error.lineno, detail=error.msg) from None
        raise UserError("err.bad_json", line=1, detail="not valid JSON") from None
    return rows


def _read_excel(raw: bytes, sheet: str | None, name: str, findings: list):
    """The chosen sheet (else the first that holds a table: a header and rows, two columns or
    more) as a DataFrame of the values Excel last saved (formulas are never run).

    A sheet is streamed, never padded out to what it claims (:func:`_sheet_frame`): a workbook
    whose one cell sits at XFD1048576 (the last cell of a sheet) would otherwise grow to 16,384
    columns × 1,048,576 rows in memory. A value beyond :data:`MAX_COLUMNS` columns or the row cap
    (a spreadsheet is not sampled) or more than :data:`MAX_CELLS` cells is refused at once.
    """
    if raw[:8] == OLE:
        return _read_xls(raw, sheet, name, findings)
    _check_sheet_parts(raw, name)
    # lazy: the Excel readers load only for Excel files
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # openpyxl's notes about styles and data validation
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        sheets = [str(title) for title in book.sheetnames]
        if sheet is not None and sheet not in sheets:
            raise UserError("err.no_such_sheet", sheet=sheet, sheets=", ".join(sheets))
        if sheet is not None:
            chosen, frame = sheet, _sheet_frame(book[sheet], name)
        else:
            for chosen in sheets:
                frame = _sheet_frame(book[chosen], name)
                if len(frame) and len(frame.columns) >= 2:
                    break
            else:
                chosen, frame = sheets[0], _sheet_frame(book[sheets[0]], name)
            if chosen != sheets[0]:
                findings.append(Finding("sheet_chosen", 1, "find.sheet_chosen",
                                        {"sheet": chosen, "skipped": ", ".join(sheets[:sheets.index(chosen)])}, "info"))
    finally:
        book.close()
    if frame.isna().to_numpy().any() and len(raw) < 20 * 2**20:
        unsaved = _formulas_without_values(raw, chosen, len(frame) + 1, len(frame.columns))
        if unsaved:
            findings.append(Finding("formulas", unsaved, "find.formulas", {"n": unsaved}))
    return sheets, chosen, frame


def _sheet_frame(worksheet, name: str) -> pd.DataFrame:
    """One sheet within the limits (see :func:`_read_excel`), from its cells as they are stored.

    openpyxl's row iterator pads every row to the sheet's declared width and fills in every
    missing row up to the last, so a sheet holding one cell at XFD1048576 would be walked as
    1,048,576 rows of 16,384 cells. Its worksheet parser (the part the iterator pads) yields only
    the cells present, so the real extent is known as the file is read: a value beyond column
    1,000, beyond the row cap or beyond :data:`MAX_CELLS` is refused at once.
    """
    from openpyxl.worksheet._reader import WorkSheetParser  # openpyxl < 4 (requirements.txt)

    limit, book = max_rows(), worksheet.parent
    rows, first, width = {}, None, 0
    with worksheet._get_source() as source:
        parser = WorkSheetParser(source, worksheet._shared_strings, data_only=True, epoch=book.epoch,
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        for index, cells in parser.parse():
            values = {cell["column"]: cell["value"] for cell in cells if cell["value"] not in (None, "")}
            if not values:
                continue
            first = index if first is None else first
            last_column = max(values)
            if last_column > MAX_COLUMNS:
                raise UserError("err.too_many_columns", name=name, n=f"{last_column:,}", limit=MAX_COLUMNS)
            if index - first > limit:
                raise UserError("err.excel_too_many_rows", name=name, limit=limit)
            width = max(width, last_column)
            if (index - first) * width > MAX_CELLS:
                raise UserError("err.too_many_cells", name=name, rows=f"{index - first:,}", columns=width,
                                limit=f"{MAX_CELLS:,}")
            rows[index] = values
    if first is None:
        return pd.DataFrame()
    header = [rows[first].get(column, "") for column in range(1, width + 1)]
    body = [[rows.get(index, {}).get(column) for column in range(1, width + 1)] for index in range(first + 1, max(rows) + 1)]
    return pd.DataFrame(body, columns=header, dtype=object)


_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is)[\s>]")


MAX_SHEET_XML = 2**30     # a part's XML unpacks to at most 1 GB (a 300,000-row table is ~50 MB)
MAX_SHARED_STRINGS_RATIO = 50
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")


def _check_sheet_parts(raw: bytes, name: str) -> None:
    """Before openpyxl opens a workbook: no part may be a bomb (each part's and all parts'
    unpacked size, each part's packing ratio), the shared strings (which openpyxl loads whole on
    opening) may not outnumber the cells a table may have, and no part may hold more rows with
    values than the row cap — every XML part is counted, wherever the workbook's relationships
    put its sheets. (openpyxl reads ~50,000 rows a second, and reads a whole sheet just to open
    the workbook when the sheet does not state its size.)"""
    limit = max_rows()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise UserError("err.zip_too_many", name=name, n=len(infos), limit=MAX_ZIP_MEMBERS)
        total = sum(info.file_size for info in infos)
        for info in infos:
            # Shared strings are each text once (repeats are stored once), so they pack like plain
            # text, ~3-10×; a sheet of repeated cells packs tighter.
            ratio = MAX_SHARED_STRINGS_RATIO if info.filename.lower().endswith("sharedstrings.xml") else MAX_ZIP_RATIO
            if info.file_size > MAX_SHEET_XML or total > 2 * MAX_SHEET_XML or info.file_size > 2**20 and (
                    info.file_size > ratio * max(info.compress_size, 1)):
                raise UserError("err.zip_bomb", name=name, mb=f"{max(info.file_size, total) / 2**20:,.0f}",
                                limit=MAX_SHEET_XML // 2**20)
        for info in infos:
            if not info.filename.lower().endswith(".xml"):
                continue
            with archive.open(info) as xml:
                if info.filename.lower().endswith("sharedstrings.xml"):
                    if _count_elements(xml, _SHARED_STRING, MAX_CELLS) > MAX_CELLS:
                        raise UserError("err.too_many_cells", name=name, rows="?", columns="?", limit=f"{MAX_CELLS:,}")
                elif _rows_with_values(xml, limit + 1) > limit + 1:
                    raise UserError("err.excel_too_many_rows", name=name, limit=limit)


def _count_elements(xml, pattern, stop_after: int) -> int:
    """How many matches of ``pattern`` the XML stream holds, counted on the bytes as they are
    unpacked, stopping once ``stop_after`` is passed."""
    count, tail = 0, b""
    while chunk := xml.read(CHUNK):
        data = tail + chunk
        count += sum(1 for match in pattern.finditer(data) if match.end() > len(tail))   # not counted before
        if count > stop_after:
            return count
        tail = data[-64:]
    return count


def _rows_with_values(xml, stop_after: int) -> int:
    """How many ``<row>`` elements of a sheet's XML hold a value (``<v>`` or ``<is>``), counted
    on the bytes as they are unpacked, without parsing (a million rows take about a second),
    stopping once ``stop_after`` is passed."""
    count, tail = 0, b""
    while True:
        chunk = xml.read(CHUNK)
        data = tail + chunk
        starts = [match.start() for match in _ROW.finditer(data)]
        complete = starts if not chunk else starts[:-1]
        bounds = complete + [starts[-1] if chunk and starts else len(data)]
        for start, end in zip(complete, bounds[1:]):
            if _VALUE.search(data, start, end):
                count += 1
                if count > stop_after:
                    return count
        if not chunk:
            return count
        tail = data[starts[-1]:] if starts else data[-64:]


def _read_xls(raw: bytes, sheet: str | None, name: str, findings: list):
    """A legacy Excel 97-2003 workbook (xlrd; its sheets are at most 65,536 × 256 cells, and
    their size is checked before the cells are read)."""
    # lazy: the Excel readers load only for Excel files
    import xlrd

    book = xlrd.open_workbook(file_contents=raw, on_demand=True)
    sheets = [str(title) for title in book.sheet_names()]
    if sheet is not None and sheet not in sheets:
        raise UserError("err.no_such_sheet", sheet=sheet, sheets=", ".join(sheets))

    def frame_of(title):
        table = book.sheet_by_name(title)
        if table.nrows - 1 > max_rows():
            raise UserError("err.excel_too_many_rows", name=name, limit=max_rows())
        if table.nrows * table.ncols > MAX_CELLS:
            raise UserError("err.too_many_cells", name=name, rows=f"{table.nrows:,}", columns=table.ncols,
                            limit=f"{MAX_CELLS:,}")
        values = [[None if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) else _xls_value(cell, book)
                   for cell in table.row(index)] for index in range(table.nrows)]
        if not values:
            return pd.DataFrame()
        return pd.DataFrame(values[1:], columns=[value if value is not None else "" for value in values[0]], dtype=object)

    if sheet is not None:
        return sheets, sheet, frame_of(sheet)
    for chosen in sheets:
        frame = frame_of(chosen)
        if len(frame) and len(frame.columns) >= 2:
            break
    else:
        chosen, frame = sheets[0], frame_of(sheets[0])
    if chosen != sheets[0]:
        findings.append(Finding("sheet_chosen", 1, "find.sheet_chosen",
                                {"sheet": chosen, "skipped": ", ".join(sheets[:sheets.index(chosen)])}, "info"))
    return sheets, chosen, frame


def _xls_value(cell, book):
    """A cell's value as pandas would give it: numbers as int when whole, dates as datetimes."""
    # lazy: the Excel readers load only for Excel files
    import xlrd

    if cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
        return int(cell.value)
    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    return cell.value


def _formulas_without_values(raw: bytes, sheet: str, rows: int, columns: int) -> int:
    """Cells holding a formula whose result was never saved (files written by programs, not
    Excel): they read as empty. Only the table's own ``rows`` × ``columns`` are looked at."""
    # lazy: the Excel readers load only for Excel files
    import openpyxl

    formulas = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)[sheet]
    values = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)[sheet]
    count = 0
    bounds = {"values_only": True, "max_row": rows, "max_col": max(1, columns)}
    for formula_row, value_row in zip(formulas.iter_rows(**bounds), values.iter_rows(**bounds)):
        for formula, value in zip(formula_row, value_row):
            if value is None and isinstance(formula, str) and formula.startswith("="):
                count += 1
    return count


def _member_name(info: zipfile.ZipInfo) -> str:
    """Zips made on Chinese Windows store GBK names without saying so; Python reads them as
    cp437. Recover the real name."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _read_zip(raw: bytes, name: str, encoding: str | None, sheet: str | None, keep_bad_lines: bool = False) -> Table:
    """A zip of label folders (``label/file.txt``; the folder is the label, each file one
    example) or a zip holding one table file."""
    archive = zipfile.ZipFile(io.BytesIO(raw))
    members = []
    for info in archive.infolist():
        path = PurePosixPath(_member_name(info).replace("\\", "/"))
        if info.is_dir() or any(part.startswith((".", "__MACOSX")) for part in path.parts):
            continue
        members.append((info, path))
    if not members:
        raise UserError("err.zip_no_folders", name=name)
    if len(members) > MAX_ZIP_MEMBERS:
        raise UserError("err.zip_too_many", name=name, n=len(members), limit=MAX_ZIP_MEMBERS)
    total = sum(info.file_size for info, _ in members)
    packed = sum(info.compress_size for info, _ in members)
    # Packed too tightly: as a whole, or any member larger than 64 KB (however small each is,
    # 700 members of 1 MB packed 373× are a bomb as much as one of 700 MB).
    tight = total > 2**20 and total > MAX_ZIP_RATIO * max(packed, 1) or any(
        info.file_size > 2**16 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1) for info, _ in members)
    if total > MAX_UNZIPPED_BYTES or tight:
        raise UserError("err.zip_bomb", name=name, mb=f"{total / 2**20:,.0f}", limit=MAX_UNZIPPED_BYTES // 2**20)
    texts = [(info, path) for info, path in members if path.suffix.lower() == ".txt" and len(path.parts) >= 2]
    if texts:
        rows: list = []
        used: Counter = Counter()
        for info, path in texts:
            content = archive.read(info)
            text, file_encoding = decode(content, encoding) if content.strip() else ("", None)
            used[file_encoding] += file_encoding is not None
            rows.append({"text": text.lstrip("\ufeff"), "label": path.parent.name, "file": str(path)})
        table = Table(frame=pd.DataFrame(rows, dtype=object), name=name, kind="zip",
                      encoding=", ".join(name for name, _ in used.most_common() if name) or None)
        skipped = len(members) - len(texts)
        if skipped:
            table.findings.append(Finding("zip_skipped", skipped, "find.zip_skipped", {"n": skipped}, "info"))
        return table
    tables = [(info, path) for info, path in members if path.suffix.lower() in DELIMITED[:-1] + EXCEL + JSON]
    if len(tables) == 1:
        info, path = tables[0]
        inner = table_from_bytes(archive.read(info), path.name, encoding, sheet, keep_bad_lines)
        inner.name = f"{name}/{path}"
        return inner
    raise UserError("err.zip_no_folders", name=name)
