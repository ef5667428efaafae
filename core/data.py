"""Data sets: read a table, guess its columns, and check it in plain words.

The flow is ``read_table`` → ``guess_columns`` → ``validate``; the result of ``validate`` is a
:class:`DataSet` (clean texts and string labels) and a :class:`DataReport` that the Data page
and the CLI show to the user.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from core.errors import UserError

DELIMITERS = ",;\t|"
PREFERRED_ENCODINGS = ("gb18030", "big5", "cp1252", "utf_16", "cp932", "shift_jis")
MAX_FILE_BYTES = 200 * 1024 * 1024
TEXT_COLUMN_NAMES = ("text", "content", "sentence", "review", "message", "title", "文本", "内容")
LABEL_COLUMN_NAMES = ("label", "labels", "class", "category", "target", "y", "标签", "类别")

SAMPLE_DIR = Path(__file__).parent / "sample_data"


@dataclass(frozen=True)
class SampleSet:
    """A small data set shipped with the app so the whole flow works without the user's data."""

    name: str
    filename: str
    language: str
    source: str
    licence: str

    @property
    def path(self) -> Path:
        return SAMPLE_DIR / self.filename


SAMPLES = {
    "sms_spam": SampleSet(
        "sms_spam",
        "sms_spam.csv",
        "en",
        "SMS Spam Collection v.1 — Almeida, Gómez Hidalgo, Yamakami, DocEng 2011",
        "Free to use; copyright the authors; no warranty; please cite the paper",
    ),
    "thucnews_titles": SampleSet(
        "thucnews_titles",
        "thucnews_titles.csv",
        "zh",
        "THUCNews news titles (10 topics), via a GitHub repository under the MIT licence",
        "MIT",
    ),
}


@dataclass
class DataSet:
    """Clean, validated examples: ``texts[i]`` has label ``labels[i]`` (always a string)."""

    texts: list[str]
    labels: list[str]
    text_column: str = "text"
    label_column: str = "label"

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def label_names(self) -> list[str]:
        """Sorted distinct labels: the class order every model and report uses."""
        return sorted(set(self.labels), key=_label_sort_key)


@dataclass
class DataReport:
    """What validation found, in counts a person can read."""

    rows_total: int
    rows_kept: int
    dropped_empty_text: int
    dropped_empty_label: int
    class_counts: dict[str, int] = field(default_factory=dict)
    findings: list = field(default_factory=list)   # core.findings.Finding, on the kept rows
    dropped_duplicates: int = 0
    dropped_conflicts: int = 0
    dropped_single: int = 0
    merged_labels: int = 0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["findings"] = [finding.to_dict() for finding in self.findings]
        return data


@dataclass(frozen=True)
class CleaningChoices:
    """What the user chose to do about the findings. Nothing is changed unless asked."""

    drop_duplicates: bool = False
    drop_conflicts: bool = False
    merge_label_variants: bool = False
    drop_single_classes: bool = False


def _label_sort_key(label: str):
    # Numeric labels sort as numbers ("2" before "10"), the rest alphabetically.
    try:
        return (0, float(label), "")
    except ValueError:
        return (1, 0.0, label)


@dataclass
class Table:
    """A table as read from a file, with how it was read (shown to the user, overridable)."""

    frame: pd.DataFrame
    name: str
    encoding: str | None = None     # None for Excel
    delimiter: str | None = None    # None for Excel and JSON
    sheet: str | None = None        # the Excel sheet read
    sheets: list[str] = field(default_factory=list)


def read_table(source, filename: str | None = None, encoding: str | None = None,
               sheet: str | None = None) -> pd.DataFrame:
    """Read a CSV/TSV/delimited text, Excel or JSON Lines file into a DataFrame of strings.

    Parameters
    ----------
    source : str, Path, bytes or file-like
        The file. Bytes and file-likes need ``filename`` to tell the format.
    filename : str, optional
        Name used to pick the format by extension (``.csv``, ``.tsv``, ``.txt``, ``.xlsx``,
        ``.xls``, ``.jsonl``, ``.json``). Defaults to the path's name.
    encoding : str, optional
        Force an encoding for delimited text; otherwise it is detected (BOMs, UTF-8, then
        charset-normalizer for GBK, Big5, Shift-JIS, Windows-1252 …).
    sheet : str, optional
        Excel sheet to read; the first one by default.

    Returns
    -------
    pandas.DataFrame
        Every column as ``object`` (strings or missing), so labels like ``007`` stay intact.

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
               sheet: str | None = None) -> Table:
    """Like :func:`read_table`, but also says which encoding, delimiter and sheet were used."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        filename = filename or path.name
        if not path.exists():
            raise UserError("err.file_not_found", path=str(path))
        if path.is_dir():
            raise UserError("err.file_is_folder", path=str(path))
        raw = path.read_bytes()
    elif isinstance(source, (bytes, bytearray)):
        raw = bytes(source)
    else:
        raw = source.read()
    filename = filename or "data.csv"
    if len(raw) > MAX_FILE_BYTES:
        raise UserError("err.file_too_large", mb=len(raw) // 2**20, limit=MAX_FILE_BYTES // 2**20)
    if not raw.strip():
        raise UserError("err.file_empty", name=filename)

    suffix = Path(filename).suffix.lower()
    table = Table(frame=pd.DataFrame(), name=filename)
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            table.sheets, table.sheet, table.frame = _read_excel(raw, sheet, filename)
        elif suffix in (".jsonl", ".json", ".ndjson"):
            text, table.encoding = decode(raw, encoding)
            text = text.strip()
            table.frame = pd.read_json(io.StringIO(text), lines=not text.startswith("["), dtype=False)
        elif suffix in (".csv", ".tsv", ".txt", ".tab", ""):
            text, table.encoding = decode(raw, encoding)
            table.frame, table.delimiter = _read_delimited(text)
        else:
            raise UserError("err.unknown_format", name=filename)
    except UserError:
        raise
    except Exception as error:  # pandas/openpyxl raise many types for a malformed file
        raise UserError("err.unreadable", name=filename, detail=str(error).splitlines()[0][:200] if str(error) else
                        type(error).__name__)
    frame = table.frame
    if frame.empty or len(frame.columns) == 0:
        raise UserError("err.file_empty", name=filename)
    frame.columns = [str(column).strip() for column in frame.columns]
    table.frame = frame.astype(object).where(frame.notna(), None)
    return table


def _read_excel(raw: bytes, sheet: str | None, filename: str):
    if raw[:2] != b"PK" and raw[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UserError("err.not_excel", name=filename)
    book = pd.ExcelFile(io.BytesIO(raw))
    sheets = [str(name) for name in book.sheet_names]
    if sheet is not None and sheet not in sheets:
        raise UserError("err.no_such_sheet", sheet=sheet, sheets=", ".join(sheets))
    chosen = sheet if sheet is not None else sheets[0]
    # Cached values only: formulas are never evaluated, a cell shows what Excel last saved.
    return sheets, chosen, book.parse(chosen, dtype=object)


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file; returns ``(text, encoding used)``.

    Byte-order marks first, then strict UTF-8, then charset-normalizer's best guess (GBK,
    Big5, Shift-JIS, Windows-1252 …), then GB18030 and Windows-1252 as a last resort.

    Raises
    ------
    UserError
        If a forced ``encoding`` is unknown or cannot decode the bytes.
    """
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            raise UserError("err.bad_encoding", encoding=encoding)
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(raw[:262144]))
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
    candidates += ["gb18030", "cp1252"]
    for candidate in candidates:
        try:
            return raw.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("latin-1"), "latin-1"  # decodes any bytes


def _read_delimited(text: str) -> tuple[pd.DataFrame, str]:
    if "\x00" in text:
        text = text.replace("\x00", "")
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(header + "\n", delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in DELIMITERS}
        delimiter = max(counts, key=counts.get) if max(counts.values()) else ","
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, na_values=[""],
                        engine="python" if len(header) > 100_000 else "c")
    return frame, delimiter


def guess_columns(frame: pd.DataFrame) -> tuple[str, str | None]:
    """Guess the text column and the label column of a table.

    The text column is a column named like ``text`` if there is one, else the column whose
    values are longest on average. The label column is one named like ``label``, else the
    column (other than the text column) with the fewest distinct values, at least two.

    Returns
    -------
    (text_column, label_column)
        ``label_column`` is ``None`` when the table has a single column.
    """
    columns = list(frame.columns)
    lowered = {column.lower(): column for column in columns}
    text_column = next((lowered[name] for name in TEXT_COLUMN_NAMES if name in lowered), None)
    head = frame.head(2000)
    if text_column is None:
        lengths = {column: head[column].dropna().astype(str).str.len().mean() for column in columns}
        text_column = max(columns, key=lambda column: (lengths[column] if lengths[column] == lengths[column] else 0))
    label_column = next((lowered[name] for name in LABEL_COLUMN_NAMES
                         if name in lowered and lowered[name] != text_column), None)
    if label_column is None:
        candidates = []
        for column in columns:
            if column == text_column:
                continue
            distinct = head[column].dropna().astype(str).str.strip().nunique()
            if distinct >= 2:
                candidates.append((distinct, columns.index(column), column))
        if candidates:
            label_column = min(candidates)[2]
        elif len(columns) > 1:
            label_column = next(column for column in columns if column != text_column)
    return text_column, label_column


def _clean_label(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            value = int(value)
    label = str(value).strip()
    return label or None


def validate(frame: pd.DataFrame, text_column: str, label_column: str,
             choices: CleaningChoices = CleaningChoices()) -> tuple[DataSet, DataReport]:
    """Keep the rows with a non-empty text and label, apply the user's ``choices``, and
    describe the result (``DataReport.findings`` lists what is still worth a look).

    The input frame is never modified.

    Raises
    ------
    UserError
        If a column is missing, both columns are the same, no row is usable, or fewer than two
        classes remain.
    """
    from core.findings import find_issues, label_variants

    for column in (text_column, label_column):
        if column is None or column not in frame.columns:
            raise UserError("err.missing_column", column=str(column), columns=", ".join(map(str, frame.columns)))
    if text_column == label_column:
        raise UserError("err.same_columns")
    texts, labels = [], []
    empty_text = empty_label = 0
    for raw_text, raw_label in zip(frame[text_column].tolist(), frame[label_column].tolist()):
        text = "" if raw_text is None or (isinstance(raw_text, float) and raw_text != raw_text) else str(raw_text).strip()
        label = _clean_label(raw_label)
        if not text:
            empty_text += 1
        elif label is None:
            empty_label += 1
        else:
            texts.append(text)
            labels.append(label)
    report = DataReport(rows_total=len(frame), rows_kept=0, dropped_empty_text=empty_text,
                        dropped_empty_label=empty_label)
    if choices.merge_label_variants:
        # Each group of variants becomes its most frequent spelling.
        counts = Counter(labels)
        rename = {}
        for group in label_variants(counts).values():
            keep = max(group, key=lambda label: (counts[label], label))
            rename.update({label: keep for label in group if label != keep})
        report.merged_labels = sum(1 for label in labels if label in rename)
        labels = [rename.get(label, label) for label in labels]
    if choices.drop_conflicts:
        labels_of = {}
        for text, label in zip(texts, labels):
            labels_of.setdefault(text, set()).add(label)
        keep = [len(labels_of[text]) == 1 for text in texts]
        report.dropped_conflicts = keep.count(False)
        texts, labels = _filter(texts, labels, keep)
    if choices.drop_duplicates:
        seen, keep = set(), []
        for pair in zip(texts, labels):
            keep.append(pair not in seen)
            seen.add(pair)
        report.dropped_duplicates = keep.count(False)
        texts, labels = _filter(texts, labels, keep)
    if choices.drop_single_classes:
        counts = Counter(labels)
        keep = [counts[label] >= 2 for label in labels]
        report.dropped_single = keep.count(False)
        texts, labels = _filter(texts, labels, keep)

    counts = Counter(labels)
    report.rows_kept = len(texts)
    report.class_counts = {label: counts[label] for label in sorted(counts, key=_label_sort_key)}
    if not texts:
        raise UserError("err.no_usable_rows", dropped=report.rows_total)
    if len(counts) < 2:
        raise UserError("err.only_one_class", label=next(iter(counts)), column=label_column)
    report.findings = find_issues(texts, labels, label_column)
    return DataSet(texts, labels, text_column, label_column), report


def _filter(texts, labels, keep):
    return ([t for t, k in zip(texts, keep) if k], [label for label, k in zip(labels, keep) if k])


def cleaned_csv(dataset: DataSet) -> bytes:
    """The validated data set as CSV (UTF-8 with BOM, so Excel shows Chinese correctly)."""
    frame = pd.DataFrame({dataset.text_column: dataset.texts, dataset.label_column: dataset.labels})
    return frame.to_csv(index=False).encode("utf-8-sig")


def load_dataset(path, text_column: str | None = None, label_column: str | None = None,
                 encoding: str | None = None, sheet: str | None = None,
                 choices: CleaningChoices = CleaningChoices()) -> tuple[DataSet, DataReport]:
    """Read, guess the columns (unless given) and validate a file in one step."""
    frame = read_table(path, encoding=encoding, sheet=sheet)
    guessed_text, guessed_label = guess_columns(frame)
    return validate(frame, text_column or guessed_text, label_column or guessed_label, choices)
