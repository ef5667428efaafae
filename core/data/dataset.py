"""Data sets: read a table, guess its columns, and check it in plain words.

The flow is ``read_table`` → ``guess_columns`` → ``validate``; the result of ``validate`` is a
:class:`DataSet` (clean texts and string labels) and a :class:`DataReport` that the Data page
and the CLI show to the user.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from core.base.config import JsonConfig
from core.base.errors import UserError
from core.data.reading import (  # noqa: F401
    DEFAULT_MAX_ROWS,
    MAX_FILE_BYTES,
    MAX_FILE_MB,
    Table,
    decode,
    load_table,
    max_rows,
    read_pasted,
    read_table,
)
import hashlib
from core.data.findings import label_variants
from core.data.findings import Finding, find_issues, label_variants

MAX_TEXT_CHARS = 10_000      # longer texts are cut for training (with a notice), never dropped

TEXT_COLUMN_NAMES = ("text", "content", "body", "sentence", "review", "comment", "message", "title",
                     "文本", "内容", "正文", "评论", "标题")
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
    text_column: str = "text"       # shown to people: "title + body" when columns are joined
    label_column: str = "label"
    text_columns: list[str] = field(default_factory=list)   # the columns joined, in order
    unlabelled: list[str] = field(default_factory=list)     # texts of rows without a label (for word vectors)

    def __post_init__(self):
        if not self.text_columns:
            self.text_columns = [self.text_column]

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
    findings: list = field(default_factory=list)   # core.data.findings.Finding, on the kept rows
    dropped_duplicates: int = 0
    dropped_conflicts: int = 0
    dropped_single: int = 0
    merged_labels: int = 0
    renamed_labels: int = 0
    truncated_texts: int = 0
    sampled_from: int = 0          # rows before the stratified sample; 0 when not sampled
    corrected_labels: int = 0      # labels the user corrected (the label check)
    dropped_by_user: int = 0       # rows the user left out there
    labelled_here: int = 0         # texts labelled in the app (the Label page), added to the file's rows

    @property
    def dropped_by_choices(self) -> int:
        """Rows the user's choices removed: duplicates, conflicts, single-example classes, the
        rows left out in the label check, and those the stratified sample did not take — so
        that ``rows_total + labelled_here == rows_kept + dropped_empty_text +
        dropped_empty_label + dropped_by_choices``."""
        sampled_away = self.sampled_from - self.rows_kept if self.sampled_from else 0
        return (self.dropped_duplicates + self.dropped_conflicts + self.dropped_single + self.dropped_by_user
                + sampled_away)

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
    label_names: dict = field(default_factory=dict)   # e.g. {"0": "negative", "1": "positive"}
    sample_rows: int | None = None   # consent to a stratified sample of this many rows
    corrections: dict = field(default_factory=dict)   # file row (int) -> the label to use; "" drops the row
    added: tuple = ()                 # (text, label) pairs labelled in the app (the labelling view), after the file's rows


@dataclass(frozen=True)
class DataChoices(JsonConfig):
    """Everything a user chose on the Data page for one file, as plain values (never as the
    words a widget shows), so the choices survive a change of language, a page change and a
    reloaded tab, and belong to the file they were made for.

    ``encoding`` and ``sheet`` ``None`` mean "as detected"; ``sample``: consent to a stratified
    sample of the row cap.
    """

    text_columns: tuple = ()
    label_column: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    drop_duplicates: bool = False
    drop_conflicts: bool = False
    merge_label_variants: bool = False
    drop_single_classes: bool = False
    label_names: dict = field(default_factory=dict)
    sample: bool = False
    # The user's corrections of single labels (the label check): file row (as a string, for JSON)
    # -> the label to use instead, "" to leave the row out. The uploaded file is never changed.
    corrections: dict = field(default_factory=dict)
    # Texts labelled in the app (the Label page: unlabelled texts given a label), as [text, label]
    # pairs: they join the file's rows, marked as labelled here.
    added: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "text_columns", tuple(self.text_columns or ()))
        object.__setattr__(self, "corrections", {str(row): str(label) for row, label in (self.corrections or {}).items()})
        object.__setattr__(self, "added", tuple((str(text), str(label)) for text, label in (self.added or ())))

    def cleaning(self) -> CleaningChoices:
        """The :class:`CleaningChoices` these choices make (the sample at the row cap)."""
        return CleaningChoices(drop_duplicates=self.drop_duplicates, drop_conflicts=self.drop_conflicts,
                               merge_label_variants=self.merge_label_variants,
                               drop_single_classes=self.drop_single_classes, label_names=dict(self.label_names),
                               sample_rows=max_rows() if self.sample else None,
                               corrections={int(row): label for row, label in self.corrections.items()},
                               added=self.added)

    def fitted(self, table) -> DataChoices:
        """These choices for ``table`` (the file read again, e.g. another sheet): columns it
        does not have are replaced by the guessed ones, label names of absent labels dropped."""
        columns = list(table.frame.columns)
        guessed_text, guessed_label = guess_columns(table.frame)
        text_columns = tuple(column for column in self.text_columns if column in columns) or (guessed_text,)
        label_column = self.label_column if self.label_column in columns else guessed_label
        if label_column in text_columns:
            label_column = guessed_label if guessed_label not in text_columns else None
        names = numeric_label_values(table.frame, label_column) if label_column else []
        return replace(self, text_columns=text_columns, label_column=label_column, sheet=table.sheet,
                       label_names={label: name for label, name in self.label_names.items() if label in names})


def guess_choices(table) -> DataChoices:
    """The choices a new file starts with: the guessed columns, the encoding and sheet as read,
    nothing dropped or merged.

    Examples
    --------
    >>> from core.data.reading import load_table
    >>> guess_choices(load_table(b"id,review,stars\\n1,great,good\\n2,bad,poor\\n", "r.csv")).text_columns
    ('review',)
    """
    text_column, label_column = guess_columns(table.frame)
    return DataChoices(text_columns=(text_column,), label_column=label_column, sheet=table.sheet)


def file_key(raw: bytes, name: str) -> str:
    """A short key of a file's content and name: the same file (uploaded again, or read with
    another encoding or sheet) has the same key, and choices are kept per key."""
    return hashlib.sha256(name.encode("utf-8", "replace") + b"\0" + raw).hexdigest()[:20]


def read_with_choices(raw: bytes, name: str, choices: DataChoices):
    """Read ``raw`` as the file ``name`` with the user's ``choices`` (encoding, sheet, columns,
    cleaning) and validate it: ``(table, choices fitted to the table, dataset, report)``. Used to
    bring a workspace's data set back in a new session.

    Raises
    ------
    UserError
        As :func:`core.data.reading.load_table` and :func:`validate`.
    """
    table = load_table(raw, name, choices.encoding, choices.sheet)
    choices = choices.fitted(table)
    dataset, report = validate(table.frame, list(choices.text_columns), choices.label_column, choices.cleaning())
    return table, choices, dataset, report


def stratified_sample(labels, n: int, seed: int = 42) -> np.ndarray:
    """Sorted indices of about ``n`` rows keeping each class's share (largest remainders
    round up; every class keeps at least one row)."""
    labels = np.asarray(labels, dtype=object)
    if n >= len(labels):
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    classes, inverse, counts = np.unique(labels.astype(str), return_inverse=True, return_counts=True)
    exact = counts * n / len(labels)
    quota = np.maximum(np.floor(exact).astype(int), 1)
    for index in np.argsort(-(exact - np.floor(exact))):
        if quota.sum() >= n:
            break
        if quota[index] < counts[index]:
            quota[index] += 1
    chosen = [rng.choice(np.flatnonzero(inverse == c), size=min(quota[c], counts[c]), replace=False)
              for c in range(len(classes))]
    return np.sort(np.concatenate(chosen))


def _label_sort_key(label: str):
    # Numeric labels sort as numbers ("2" before "10"), the rest alphabetically.
    try:
        return (0, float(label), "")
    except ValueError:
        return (1, 0.0, label)


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


def numeric_label_values(frame: pd.DataFrame, label_column: str, limit: int = 20) -> list[str]:
    """The distinct labels of ``label_column`` when they are all numbers (0/1, 1-5 …) and
    at most ``limit``: the ones worth giving display names. Otherwise ``[]``."""
    if label_column not in frame.columns:
        return []
    values = set()
    for value in frame[label_column].tolist():
        label = _clean_label(value)
        if label is not None:
            values.add(label)
            if len(values) > limit:
                return []
    if not values or not all(_label_sort_key(label)[0] == 0 for label in values):
        return []
    return sorted(values, key=_label_sort_key)


def cell_text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def joined_texts(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """Each row's text: its cells in ``columns``, trimmed, non-empty ones joined by a line
    break ("" when all are empty)."""
    if len(columns) == 1:
        return [cell_text(value) for value in frame[columns[0]].tolist()]
    return ["\n".join(part for part in map(cell_text, values) if part)
            for values in zip(*(frame[column].tolist() for column in columns))]


def _apply_choices(texts: list, labels: list, choices: CleaningChoices, report: DataReport, limit: int):
    """The user's choices on the labelled rows, in order — rename, merge label variants, drop
    conflicts, duplicates and single-example classes, take the stratified sample — each counted
    in ``report``. Returns ``(texts, labels)``."""
    if choices.label_names:
        names = {str(old).strip(): str(new).strip() for old, new in choices.label_names.items() if str(new).strip()}
        report.renamed_labels = sum(1 for label in labels if label in names)
        labels = [names.get(label, label) for label in labels]
    if choices.merge_label_variants:
        # Each group of variants becomes its most frequent spelling.
        counts = Counter(labels)
        rename = {}
        for group in label_variants(counts).values():
            spelling = max(group, key=lambda label: (counts[label], label))
            rename.update({label: spelling for label in group if label != spelling})
        report.merged_labels = sum(1 for label in labels if label in rename)
        labels = [rename.get(label, label) for label in labels]
    if choices.drop_conflicts:
        labels_of: dict[str, set] = {}
        for text, label in zip(texts, labels):
            labels_of.setdefault(text, set()).add(label)
        keep = [len(labels_of[text]) == 1 for text in texts]
        report.dropped_conflicts = keep.count(False)
        texts, labels = _filter(texts, labels, keep)
    if choices.drop_duplicates:
        seen: set = set()
        keep = []
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
    if choices.sample_rows and len(texts) > min(choices.sample_rows, limit):
        chosen = stratified_sample(labels, min(choices.sample_rows, limit))
        report.sampled_from = len(texts)
        texts, labels = [texts[i] for i in chosen], [labels[i] for i in chosen]

    return texts, labels


# Long on purpose: the checks of a table in the order the report tells them (columns, empty texts,
# labels, duplicates, sampling), each feeding the next one's rows.
def validate(frame: pd.DataFrame, text_column, label_column: str | None,
             choices: CleaningChoices = CleaningChoices()) -> tuple[DataSet, DataReport]:
    """Keep the rows with a non-empty text and label, apply the user's ``choices``, and
    describe the result (``DataReport.findings`` lists what is still worth a look).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read; never modified.
    text_column : str or list of str
        The text column, or several (e.g. ``["title", "body"]``) joined with a line break.
    label_column : str
        The label column. Labels are trimmed strings; ``choices.label_names`` renames them.
    choices : CleaningChoices
        What to drop, merge, rename or sample. Texts longer than ``MAX_TEXT_CHARS`` are cut
        (counted in ``truncated_texts``).

    Raises
    ------
    UserError
        If a column is missing, both columns are the same, the table is over the row cap
        without consent to sample, no row is usable, or fewer than two classes remain.
    """
    text_columns = check_columns(frame, text_column, label_column)
    assert label_column is not None   # check_columns refuses a missing one
    limit = max_rows()
    if len(frame) > limit and not choices.sample_rows:
        raise UserError("err.too_many_rows", rows=len(frame), limit=limit)
    joined = joined_texts(frame, text_columns)
    texts, labels, unlabelled = [], [], []
    empty_text = empty_label = truncated = 0
    corrections = choices.corrections or {}
    corrected = dropped_by_user = 0
    for row, (text, raw_label) in enumerate(zip(joined, frame[label_column].tolist())):
        label = _clean_label(raw_label)
        if row in corrections and text:
            if not corrections[row]:
                dropped_by_user += 1
                continue
            corrected += corrections[row] != label
            label = corrections[row]
        if not text:
            empty_text += 1
        elif label is None:
            empty_label += 1
            unlabelled.append(text[:MAX_TEXT_CHARS])
        else:
            if len(text) > MAX_TEXT_CHARS:
                text, truncated = text[:MAX_TEXT_CHARS], truncated + 1
            texts.append(text)
            labels.append(label)
    for text, label in choices.added or ():
        if text and label:
            texts.append(text[:MAX_TEXT_CHARS])
            labels.append(label)
    if choices.added:
        labelled = set(texts)
        unlabelled = [text for text in unlabelled if text not in labelled]
    report = DataReport(rows_total=len(frame), rows_kept=0, dropped_empty_text=empty_text,
                        dropped_empty_label=empty_label, truncated_texts=truncated, corrected_labels=corrected,
                        dropped_by_user=dropped_by_user, labelled_here=len(choices.added or ()))
    texts, labels = _apply_choices(texts, labels, choices, report, limit)

    counts = Counter(labels)
    report.rows_kept = len(texts)
    report.class_counts = {label: counts[label] for label in sorted(counts, key=_label_sort_key)}
    if not texts:
        raise UserError("err.no_usable_rows", dropped=report.rows_total)
    if len(counts) < 2:
        raise UserError("err.only_one_class", label=next(iter(counts)), column=label_column)
    report.findings = find_issues(texts, labels, label_column)
    if truncated:
        report.findings.append(Finding("truncated", truncated, "find.truncated",
                                       {"n": truncated, "chars": f"{MAX_TEXT_CHARS:,}"}, "info"))
    if report.labelled_here:
        report.findings.append(Finding("labelled_here", report.labelled_here, "find.labelled_here",
                                       {"n": report.labelled_here}, "info"))
    if corrected or dropped_by_user:
        report.findings.append(Finding("corrected", corrected + dropped_by_user, "find.corrected",
                                       {"n": corrected, "dropped": dropped_by_user}, "info"))
    if unlabelled:
        report.findings.append(Finding("unlabelled", len(unlabelled), "find.unlabelled",
                                       {"n": f"{len(unlabelled):,}"}, "info"))
    if report.sampled_from:
        report.findings.append(Finding("sampled", len(texts), "find.sampled",
                                       {"n": f"{len(texts):,}", "total": f"{report.sampled_from:,}"}, "info"))
    shown = " + ".join(text_columns)
    return DataSet(texts, labels, shown, label_column, text_columns, unlabelled), report


def _filter(texts, labels, keep):
    return ([t for t, k in zip(texts, keep) if k], [label for label, k in zip(labels, keep) if k])


def check_columns(frame: pd.DataFrame, text_column, label_column) -> list[str]:
    """The text columns as a list, once the columns are known to be usable: each in ``frame``,
    a label column apart from the text ones.

    Raises
    ------
    UserError
        ``err.need_label_column``, ``err.missing_column`` or ``err.same_columns``.
    """
    text_columns = [text_column] if isinstance(text_column, str) or text_column is None else list(text_column)
    if label_column is None and len(frame.columns) == 1:
        raise UserError("err.need_label_column", column=str(frame.columns[0]))
    if not text_columns:
        raise UserError("err.missing_column", column="", columns=", ".join(map(str, frame.columns)))
    for column in text_columns + [label_column]:
        if column is None or column not in frame.columns:
            raise UserError("err.missing_column", column=str(column), columns=", ".join(map(str, frame.columns)))
    if label_column in text_columns:
        raise UserError("err.same_columns")
    return [column for column in text_columns if column is not None]   # None was refused above


def chosen_columns(frame: pd.DataFrame, text_column=None, label_column: str | None = None):
    """``(text column(s), label column)``: the ones given (``"title,body"`` joins two, see
    :func:`text_column_spec`), else the guessed ones (:func:`guess_columns`)."""
    guessed_text, guessed_label = guess_columns(frame)
    if isinstance(text_column, str):
        text_column = text_column_spec(text_column, frame.columns)
    return text_column or guessed_text, label_column or guessed_label


def labelled_rows(frame: pd.DataFrame, text_columns, label_column: str, corrections: dict | None = None):
    """``(rows, texts, labels)`` of a table's rows that have both a text and a label, ``rows``
    being each one's 0-based position among the file's data rows (what a user finds again in
    their spreadsheet: row ``r`` is line ``r + 2`` under a header). Nothing is merged or dropped
    beyond empty cells, so every row keeps its own place."""
    text_columns = [text_columns] if isinstance(text_columns, str) else list(text_columns)
    rows, texts, labels = [], [], []
    for row, (text, raw) in enumerate(zip(joined_texts(frame, text_columns), frame[label_column].tolist())):
        label = _clean_label(raw)
        if text and label is not None:
            rows.append(row)
            texts.append(text[:MAX_TEXT_CHARS])
            labels.append(label)
    return rows, texts, labels


def unlabelled_texts(table) -> list[str]:
    """The texts of a file of unlabelled texts (any format :func:`load_table` reads): its text
    column as :func:`guess_columns` picks it, empty cells left out, long texts cut."""
    text_column, _ = guess_columns(table.frame)
    return [text[:MAX_TEXT_CHARS] for text in joined_texts(table.frame, [text_column]) if text]


def cleaned_csv(dataset: DataSet) -> bytes:
    """The validated data set as CSV (UTF-8 with BOM, so Excel shows Chinese correctly)."""
    frame = pd.DataFrame({dataset.text_column if len(dataset.text_columns) == 1 else "text": dataset.texts,
                          dataset.label_column: dataset.labels})
    return frame.to_csv(index=False).encode("utf-8-sig")


def load_dataset(path, text_column=None, label_column: str | None = None,
                 encoding: str | None = None, sheet: str | None = None,
                 choices: CleaningChoices = CleaningChoices()) -> tuple[DataSet, DataReport]:
    """Read, guess the columns (unless given) and validate a file in one step.

    ``text_column`` may be a list of columns to join. Findings noticed while reading the file
    (see :class:`core.data.reading.Table`) come first in the report's findings.
    """
    return read_dataset(path, text_column, label_column, encoding, sheet, choices)[1:]


def read_dataset(path, text_column=None, label_column: str | None = None, encoding: str | None = None,
                 sheet: str | None = None, choices: CleaningChoices = CleaningChoices()):
    """:func:`load_dataset`, also returning the :class:`core.data.reading.Table` (how the file was
    read): ``(table, dataset, report)``. ``text_column`` may be ``"title,body"`` (see
    :func:`text_column_spec`)."""
    table = load_table(path, encoding=encoding, sheet=sheet)
    text_columns, chosen_label = chosen_columns(table.frame, text_column, label_column)
    dataset, report = validate(table.frame, text_columns, chosen_label, choices)
    report.findings[:0] = table.findings
    return table, dataset, report


def text_column_spec(spec: str | None, columns) -> list[str] | str | None:
    """A text-column name, or names joined by commas (``"title,body"`` → ``["title", "body"]``);
    a column whose own name has a comma wins."""
    if spec is None or spec in columns or "," not in spec:
        return spec
    return [part.strip() for part in spec.split(",") if part.strip()]
