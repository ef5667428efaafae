"""Whole-file predictions: columns, progress, downloads that spreadsheets open safely."""

import io

import pandas as pd

from core.service.batch import neutralise_formulas, predict_table, table_bytes


def test_every_row_gets_a_label_and_probabilities_with_progress(tiny_result, monkeypatch):
    import core.service.batch

    monkeypatch.setattr(core.service.batch, "CHUNK", 64)
    texts = list(tiny_result.test_texts) * 3
    frame = pd.DataFrame({"id": range(len(texts) + 1), "text": texts + [""]})
    calls = []
    result = predict_table(tiny_result.bundle, frame, ["text"], progress=lambda done, total: calls.append((done, total)))
    assert list(result.columns) == ["id", "text", "predicted_label", "confidence", "p(ham)", "p(spam)", "reason"]
    assert result["predicted_label"].iloc[:-1].tolist() == tiny_result.bundle.predict(texts)
    assert pd.isna(result["predicted_label"].iloc[-1]) and result["reason"].tolist() == [""] * len(texts) + ["empty text"]
    assert calls[-1] == (len(texts), len(texts)) and len(calls) == -(-len(texts) // 64)
    assert ((result["p(ham)"] + result["p(spam)"]).iloc[:-1] - 1).abs().max() < 1e-3


def test_downloads_neutralise_formulas_and_keep_chinese():
    frame = pd.DataFrame({"text": ["=HYPERLINK(\"http://evil\")", "+1 555", "-bad", "@SUM(A1)", "好评", "ok"],
                          "n": [-1, 2, 3, 4, 5, 6], "=label": ["a"] * 6})
    safe = neutralise_formulas(frame)
    assert safe["text"].tolist() == ["'=HYPERLINK(\"http://evil\")", "'+1 555", "'-bad", "'@SUM(A1)", "好评", "ok"]
    assert safe["n"].tolist() == [-1, 2, 3, 4, 5, 6] and list(safe.columns)[-1] == "'=label"
    assert frame["text"].iloc[0].startswith("=")                      # the caller's frame is not changed
    data = table_bytes(frame, "csv")
    assert data.startswith(b"\xef\xbb\xbf") and "好评".encode() in data and b"\n=" not in data
    back = pd.read_excel(io.BytesIO(table_bytes(frame, "xlsx")))
    assert back["text"].tolist()[0] == "'=HYPERLINK(\"http://evil\")" and back["text"].tolist()[4] == "好评"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(table_bytes(frame, "xlsx"))).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)   # no formula cells


def test_probabilities_in_a_file_are_rounded_without_float_noise(tiny_result):
    """Issue 17: files carried 0.9998000264167786 and 9.999999747378752e-05 (float32 rounded)."""
    import numpy as np

    class Sure:   # the tiny model's interface, with the float32 values a confident network gives
        labels = ["ham", "spam"]
        decide = tiny_result.bundle.decide

        def predict_proba(self, texts):
            return np.array([[0.9998, 0.0002], [0.0001, 0.9999]] * (len(texts) // 2), dtype=np.float32)

    frame = pd.DataFrame({"text": ["see you at six", "free prize, call now"]})
    result = predict_table(Sure(), frame, ["text"])
    text = table_bytes(result, "csv").decode("utf-8-sig")
    assert "0.9998," in text and "0.0001," in text and "0.9999" in text
    assert "0.99980002" not in text and "e-05" not in text
    real = table_bytes(predict_table(tiny_result.bundle, frame, ["text"]), "csv").decode("utf-8-sig")
    assert all(len(cell.split(".")[-1]) <= 4 for line in real.splitlines()[1:] for cell in line.split(",")[-3:])


def test_a_line_with_more_values_than_the_header_keeps_its_place_with_the_reason(tiny_result):
    """Issue 27: such a line vanished from a prediction file without a word; now every input row
    has its output row, in order, and the one not predicted says why."""
    from core.data.reading import load_table

    raw = b"text,label\nfree prize now,x\nbuy, now, cheap,spam\nsee you at lunch,y\n\nlast text,z\n"
    plain = load_table(raw, "f.csv")
    assert len(plain.frame) == 3 and plain.findings[0].key == "find.skipped_lines_one"
    table = load_table(raw, "f.csv", keep_bad_lines=True)
    assert table.kept_lines == {1: (3, 4)} and table.findings[0].key == "find.kept_lines_one"
    result = predict_table(tiny_result.bundle, table.frame, ["text"], kept_lines=table.kept_lines)
    assert result["text"].tolist() == ["free prize now", "buy", "see you at lunch", "last text"]
    assert result["reason"].tolist() == ["", "line 3 had 4 values for 2 columns", "", ""]
    assert pd.isna(result["predicted_label"].iloc[1]) and pd.isna(result["confidence"].iloc[1])
    expected = tiny_result.bundle.predict(["free prize now", "see you at lunch", "last text"])
    assert result["predicted_label"].iloc[[0, 2, 3]].tolist() == expected
