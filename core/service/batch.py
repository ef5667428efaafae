"""Classifying a whole table at once: every row gets a predicted label and probabilities."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from core.base.errors import UserError
from core.data.dataset import guess_columns, joined_texts
from core.training import cluster


def text_columns_for(bundle, frame: pd.DataFrame, given=None) -> list[str]:
    """The text column(s) to classify in ``frame``: ``given`` (a name or a list), else the
    columns the model was trained on when the table has them all, else the guessed one."""
    if given:
        columns = [given] if isinstance(given, str) else list(given)
    else:
        columns = list(bundle.info.data.text_columns)
        if not all(column in frame.columns for column in columns):
            columns = [guess_columns(frame)[0]]
    for column in columns:
        if column not in frame.columns:
            raise UserError("err.missing_column", column=str(column), columns=", ".join(map(str, frame.columns)))
    return columns


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 4096
PROBABILITY_DECIMALS = 4   # what a file of predictions shows: 0.9998, not 0.9998000264167786


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` where every text cell that a spreadsheet would run as a formula
    (starting with ``= + - @``, tab or carriage return) starts with an apostrophe instead, so
    opening a downloaded file in Excel runs nothing (OWASP's CSV-injection advice). Numbers
    are left alone.

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"t": ["=1+1", "ok", "-5 stars", 3]}))["t"].tolist()
    ["'=1+1", 'ok', "'-5 stars", 3]
    """
    def safe(value):
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value

    result = frame.copy()
    for column in result.columns:
        if result[column].dtype == object or pd.api.types.is_string_dtype(result[column]):
            result[column] = result[column].map(safe)
    result.columns = [safe(str(column)) for column in result.columns]
    return result


_LINE_REASON = re.compile(r"^line (\d+) had (\d+) values for (\d+) columns$")


def for_people(result: pd.DataFrame, translate, labels) -> pd.DataFrame:
    """:func:`predict_table`'s ``result`` with the columns it added named for people in the
    UI's language (``translate(key, **params)``: ``pred.col_label``, ``pred.col_confidence``,
    ``pred.col_probability``, ``pred.col_reason``) and each ``reason`` said in it; ``labels``:
    the model's classes (their ``p(label)`` columns). The machine names stay in the files
    programs read; this is for the screen and the download "for people".

    Examples
    --------
    >>> frame = pd.DataFrame({"text": ["hi", ""], "predicted_label": ["ham", None], "confidence": [0.9, None],
    ...                       "p(ham)": [0.9, None], "reason": ["", "empty text"]})
    >>> words = {"pred.col_label": "Label", "pred.col_confidence": "Sure", "pred.col_probability": "P {label}",
    ...          "pred.col_reason": "Why", "pred.reason_empty": "no text"}
    >>> shown = for_people(frame, lambda key, **p: words[key].format(**p), ["ham"])
    >>> list(shown.columns), shown["Why"].tolist()
    (['text', 'Label', 'Sure', 'P ham', 'Why'], ['', 'no text'])
    """
    def reason(value):
        if not isinstance(value, str) or not value:
            return value
        if value == "empty text":
            return translate("pred.reason_empty")
        line = _LINE_REASON.match(value)
        if line:
            return translate("pred.reason_line", line=line[1], values=line[2], columns=line[3])
        return value

    shown = result.copy()
    if "reason" in shown.columns:
        shown["reason"] = shown["reason"].map(reason)
    names = {"predicted_label": translate("pred.col_label"), "confidence": translate("pred.col_confidence"),
             "reason": translate("pred.col_reason")}
    names.update({f"p({label})": translate("pred.col_probability", label=label) for label in labels})
    return shown.rename(columns={column: name for column, name in names.items() if column in shown.columns})


def table_bytes(frame: pd.DataFrame, kind: str = "csv") -> bytes:
    """``frame`` as a downloadable file, formulas neutralised: ``csv`` (UTF-8 with BOM, so Excel
    shows Chinese) or ``xlsx``."""
    safe = neutralise_formulas(frame)
    if kind == "xlsx":
        buffer = io.BytesIO()
        safe.to_excel(buffer, index=False, engine="openpyxl")
        return buffer.getvalue()
    return safe.to_csv(index=False).encode("utf-8-sig")


def predict_table(bundle, frame: pd.DataFrame, text_columns, progress=None, kept_lines=None) -> pd.DataFrame:
    """``frame`` (not modified) plus ``predicted_label`` (under the model's saved decision
    threshold, if any), ``confidence`` (its probability) and one ``p(label)`` column per class:
    one output row per input row, in order. ``progress(done, total)`` is called after each chunk
    of texts. A row that gets no prediction keeps its place with empty cells, and a last column
    ``reason`` then says why for each such row (``empty text``; ``line 8 had 4 values for 2
    columns`` for a line ``kept_lines`` names: ``core.data.reading.Table.kept_lines`` of a file read
    with ``keep_bad_lines``). With ``$STUDIO_RAY_ADDRESS`` set, a file of at least
    :func:`core.training.cluster.batch_rows` texts is predicted on the Ray cluster
    (:func:`core.training.cluster.predict_proba`), with the same result.

    Examples
    --------
    >>> predict_table(bundle, pd.DataFrame({"text": ["free prize"]}), ["text"])  # doctest: +SKIP
    """
    texts = joined_texts(frame, list(text_columns))
    kept_lines = kept_lines or {}
    reasons = {}
    for position, (line, values) in kept_lines.items():
        reasons[int(position)] = f"line {line} had {values} values for {len(frame.columns)} columns"
    for position, text in enumerate(texts):
        if not text and position not in reasons:
            reasons[position] = "empty text"
    present = [i for i in range(len(texts)) if i not in reasons]
    result = frame.copy()
    result["predicted_label"] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    result["confidence"] = float("nan")
    for label in bundle.labels:
        result[f"p({label})"] = float("nan")
    if present:
        if cluster.enabled() and len(present) >= cluster.batch_rows():   # a big file: over the Ray cluster
            probabilities = cluster.predict_proba(bundle, [texts[i] for i in present], progress)
        else:
            chunks = []
            for start in range(0, len(present), CHUNK):
                chunks.append(bundle.predict_proba([texts[i] for i in present[start:start + CHUNK]]))
                if progress is not None:
                    progress(min(len(present), start + CHUNK), len(present))
            probabilities = np.concatenate(chunks)
        rows = frame.index[present]
        chosen = bundle.decide(probabilities)
        result.loc[rows, "predicted_label"] = [bundle.labels[i] for i in chosen]
        # Rounded in float64: a float32 rounded to 4 places still prints as 0.9998000264167786.
        probabilities = probabilities.astype(np.float64).round(PROBABILITY_DECIMALS)
        result.loc[rows, "confidence"] = probabilities[np.arange(len(chosen)), chosen]
        for column, label in enumerate(bundle.labels):
            result.loc[rows, f"p({label})"] = probabilities[:, column]
    if reasons:
        result["reason"] = pd.Series([reasons.get(position, "") for position in range(len(frame))], index=frame.index,
                                     dtype=object)
    return result


def skipped_counts(result: pd.DataFrame) -> dict:
    """How many rows of :func:`predict_table`'s ``result`` got no prediction, by reason kind:
    ``{"empty": n, "malformed": n}``."""
    reasons = result["reason"] if "reason" in result else pd.Series([], dtype=object)
    return {"empty": int((reasons == "empty text").sum()),
            "malformed": int(reasons.astype(str).str.startswith("line ").sum())}
