"""Tables and arrays as bytes for the way back from a fenced parse (:mod:`core.base.fence`): Arrow
IPC for a table, ``.npy`` without pickle for an array. Nothing here can run code when read.

A column of one type (strings, whole numbers, floats, booleans, times) travels as that Arrow
type; a column that mixes types (an Excel column of numbers and words) travels as JSON text per
cell, dates tagged, and comes back as the same Python values.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import numpy as np
import pandas as pd
import pyarrow as pa

MIXED = b"studio.mixed"   # schema metadata: the names of the columns sent as JSON per cell


def frame_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` (unique string column names) as Arrow IPC stream bytes.

    Examples
    --------
    >>> frame = pd.DataFrame({"text": ["a", None], "n": [1, "x"]}, dtype=object)
    >>> back = bytes_frame(frame_bytes(frame))
    >>> back["text"].tolist(), back["n"].tolist()
    (['a', None], [1, 'x'])
    """
    arrays, mixed = [], []
    for name in frame.columns:
        values = frame[name].to_numpy(dtype=object)
        try:
            array = pa.array(values, from_pandas=True)
            if pa.types.is_null(array.type) or pa.types.is_nested(array.type):
                raise pa.ArrowInvalid("kept as JSON")
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
            array = pa.array([_cell_json(value) for value in values], type=pa.large_string())
            mixed.append(str(name))
        arrays.append(array)
    schema_meta = {MIXED: json.dumps(mixed).encode()}
    table = pa.Table.from_arrays(arrays, names=[str(name) for name in frame.columns]).replace_schema_metadata(schema_meta)
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def bytes_frame(data: bytes) -> pd.DataFrame:
    """The DataFrame of :func:`frame_bytes`: object columns, missing cells ``None``."""
    table = pa.ipc.open_stream(data).read_all()
    mixed = set(json.loads((table.schema.metadata or {}).get(MIXED, b"[]")))
    columns = {}
    for name, column in zip(table.column_names, table.columns):
        if name in mixed:
            values = [None if cell is None else _json_cell(cell) for cell in column.to_pylist()]
        else:
            text = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
            values = column.to_numpy(zero_copy_only=False) if text else column.to_pylist()
        columns[name] = pd.Series(values, dtype=object) if len(values) else pd.Series([], dtype=object)
    frame = pd.DataFrame(columns) if columns else pd.DataFrame()
    frame = frame.astype(object)
    return frame.where(frame.notna(), None)


def _cell_json(value) -> str | None:
    if value is None or isinstance(value, float) and np.isnan(value) or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return json.dumps({"$t": type(value).__name__, "v": value.isoformat()})
    if isinstance(value, dt.timedelta):
        return json.dumps({"$t": "timedelta", "v": value.total_seconds()})
    if isinstance(value, (str, int, float, bool)):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(str(value), ensure_ascii=False)


def _json_cell(text: str):
    value = json.loads(text)
    if isinstance(value, dict) and "$t" in value:
        kind, raw = value["$t"], value["v"]
        if kind == "timedelta":
            return dt.timedelta(seconds=raw)
        parse = {"datetime": dt.datetime.fromisoformat, "date": dt.date.fromisoformat, "time": dt.time.fromisoformat}
        return parse[kind](raw)
    return value


def array_bytes(array: np.ndarray) -> bytes:
    """``array`` as ``.npy`` bytes (plain numbers and strings only; never pickled)."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def bytes_array(data: bytes) -> np.ndarray:
    """The array of :func:`array_bytes` (``allow_pickle=False``)."""
    return np.load(io.BytesIO(data), allow_pickle=False)
