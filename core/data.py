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

# Encodings tried in order when a delimited file is not valid UTF-8. GB18030 is a superset of
# GBK/GB2312 (what Chinese Excel writes); Latin-1 never fails, so it is last.
FALLBACK_ENCODINGS = ("utf-8-sig", "utf-16", "gb18030", "cp1252", "latin-1")
DELIMITERS = ",;\t|"
MAX_FILE_BYTES = 200 * 1024 * 1024
# A label column has "few distinct values": at most this many, and at most half the rows.
MAX_LABEL_VALUES = 100
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
    warnings: list[tuple[str, dict]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _label_sort_key(label: str):
    # Numeric labels sort as numbers ("2" before "10"), the rest alphabetically.
    try:
        return (0, float(label), "")
    except ValueError:
        return (1, 0.0, label)


def read_table(source, filename: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read a CSV/TSV/delimited text, Excel or JSON Lines file into a DataFrame of strings.

    Parameters
    ----------
    source : str, Path, bytes or file-like
        The file. Bytes and file-likes need ``filename`` to tell the format.
    filename : str, optional
        Name used to pick the format by extension (``.csv``, ``.tsv``, ``.txt``, ``.xlsx``,
        ``.xls``, ``.jsonl``, ``.json``). Defaults to the path's name.
    encoding : str, optional
        Force an encoding for delimited text; otherwise UTF-8 is tried first, then common
        legacy encodings.

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
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(io.BytesIO(raw), dtype=object)
        elif suffix in (".jsonl", ".json", ".ndjson"):
            text = _decode(raw, encoding).strip()
            frame = pd.read_json(io.StringIO(text), lines=not text.startswith("["), dtype=False)
        elif suffix in (".csv", ".tsv", ".txt", ".tab", ""):
            frame = _read_delimited(_decode(raw, encoding))
        else:
            raise UserError("err.unknown_format", name=filename)
    except UserError:
        raise
    except Exception as error:  # pandas/openpyxl raise many types for a malformed file
        raise UserError("err.unreadable", name=filename, detail=str(error).splitlines()[0][:200])
    if frame.empty or len(frame.columns) == 0:
        raise UserError("err.file_empty", name=filename)
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame.astype(object).where(frame.notna(), None)


def _decode(raw: bytes, encoding: str | None) -> str:
    if encoding:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise UserError("err.bad_encoding", encoding=encoding)
    for candidate in FALLBACK_ENCODINGS:
        if candidate == "utf-16" and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return raw.decode(candidate)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # never reached: latin-1 decodes any byte string


def _read_delimited(text: str) -> pd.DataFrame:
    sample = text[:65536]
    try:
        delimiter = csv.Sniffer().sniff(sample.split("\n", 20)[0] + "\n", delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                       na_values=[""], skipinitialspace=False)


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


def validate(frame: pd.DataFrame, text_column: str, label_column: str) -> tuple[DataSet, DataReport]:
    """Keep the rows with a non-empty text and label, and describe what was kept.

    Raises
    ------
    UserError
        If a column is missing, both columns are the same, no row is usable, or fewer than two
        classes remain.
    """
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
    counts = Counter(labels)
    report = DataReport(
        rows_total=len(frame),
        rows_kept=len(texts),
        dropped_empty_text=empty_text,
        dropped_empty_label=empty_label,
        class_counts={label: counts[label] for label in sorted(counts, key=_label_sort_key)},
    )
    if not texts:
        raise UserError("err.no_usable_rows", dropped=empty_text + empty_label)
    if len(counts) < 2:
        raise UserError("err.only_one_class", label=next(iter(counts)), column=label_column)
    if len(counts) > MAX_LABEL_VALUES or len(counts) > 0.5 * len(texts):
        report.warnings.append(("warn.many_labels", {"n": len(counts), "column": label_column}))
    small = [label for label, n in counts.items() if n < 10]
    if small:
        report.warnings.append(("warn.small_classes", {"labels": ", ".join(small[:10]), "n": 10}))
    return DataSet(texts, labels, text_column, label_column), report


def load_dataset(path, text_column: str | None = None, label_column: str | None = None,
                 encoding: str | None = None) -> tuple[DataSet, DataReport]:
    """Read, guess the columns (unless given) and validate a file in one step."""
    frame = read_table(path, encoding=encoding)
    guessed_text, guessed_label = guess_columns(frame)
    return validate(frame, text_column or guessed_text, label_column or guessed_label)
