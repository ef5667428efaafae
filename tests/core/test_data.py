"""Reading tables, guessing columns and the validation report."""

import io

import pandas as pd
import pytest

from core.base.errors import UserError
from core.data.dataset import (
    SAMPLES,
    CleaningChoices,
    cleaned_csv,
    guess_columns,
    load_dataset,
    load_table,
    read_table,
    validate,
)
from tests.conftest import SHARED


def test_bundled_samples_load_with_text_and_label_columns():
    for sample in SAMPLES.values():
        dataset, report = load_dataset(sample.path)
        assert (dataset.text_column, dataset.label_column) == ("text", "label")
        assert report.rows_kept == report.rows_total >= 2000
        assert len(report.class_counts) >= 2
        assert sample.source and sample.licence


def test_reads_csv_tsv_semicolon_and_quoted_line_breaks():
    csv_bytes = b'text,label\n"line one\nline two, with comma",a\nplain,b\n'
    frame = read_table(csv_bytes, "x.csv")
    assert frame["text"].tolist() == ["line one\nline two, with comma", "plain"]
    assert read_table(b"text\tlabel\nhello\ta\n", "x.tsv").columns.tolist() == ["text", "label"]
    assert read_table(b"text;label\nhello;a\n", "x.csv")["label"].tolist() == ["a"]


def test_decodes_utf8_bom_and_gbk():
    chinese = "text,label\n房间很干净,1\n服务太差,0\n"
    bom = read_table(b"\xef\xbb\xbf" + chinese.encode("utf-8"), "x.csv")
    gbk = read_table(chinese.encode("gbk"), "x.csv")
    assert bom.columns.tolist() == ["text", "label"]
    assert gbk["text"].tolist() == ["房间很干净", "服务太差"]


def test_reads_excel_and_json_lines(tmp_path):
    frame = pd.DataFrame({"review": ["good stuff", "bad stuff"], "sentiment": ["pos", "neg"]})
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    assert read_table(buffer.getvalue(), "x.xlsx")["review"].tolist() == ["good stuff", "bad stuff"]
    jsonl = b'{"text": "hi", "label": "a"}\n{"text": "yo", "label": "b"}\n'
    assert read_table(jsonl, "x.jsonl")["label"].tolist() == ["a", "b"]


@pytest.mark.parametrize("raw, name, key", [
    (b"", "empty.csv", "err.file_empty"),
    (b"   \n", "blank.csv", "err.file_empty"),
    (b"abc", "x.pdf", "err.unknown_format"),
    (b"not an excel file", "x.xlsx", "err.header_only"),  # text renamed .xlsx is read as text
    (b"PK\x03\x04 broken zip", "x.xlsx", "err.unreadable"),
])
def test_unreadable_files_raise_user_errors(raw, name, key):
    with pytest.raises(UserError) as caught:
        read_table(raw, name)
    assert caught.value.key == key
    assert "\n" not in str(caught.value)


def test_missing_path_and_dev_null():
    with pytest.raises(UserError, match="not found"):
        read_table("/no/such/file.csv")
    with pytest.raises(UserError, match="empty"):
        read_table("/dev/null")


def test_guess_prefers_longest_text_and_few_valued_label():
    frame = pd.DataFrame({
        "id": [str(i) for i in range(6)],
        "body": [f"a long free text number {i} here" for i in range(6)],
        "topic": ["x", "y", "x", "y", "x", "y"],
    })
    assert guess_columns(frame) == ("body", "topic")


def test_validate_counts_dropped_rows_and_normalises_numeric_labels():
    frame = pd.DataFrame({"text": ["good", "", None, "bad", "meh"], "label": [1.0, 0.0, 1.0, 0.0, None]})
    dataset, report = validate(frame, "text", "label")
    assert dataset.texts == ["good", "bad"]
    assert dataset.labels == ["1", "0"]
    assert (report.rows_total, report.rows_kept) == (5, 2)
    assert (report.dropped_empty_text, report.dropped_empty_label) == (2, 1)
    assert report.class_counts == {"0": 1, "1": 1}


@pytest.mark.parametrize("frame, text, label, key", [
    (pd.DataFrame({"text": ["a", "b"], "label": ["x", "x"]}), "text", "label", "err.only_one_class"),
    (pd.DataFrame({"text": ["", None], "label": ["x", "y"]}), "text", "label", "err.no_usable_rows"),
    (pd.DataFrame({"text": ["a"], "label": ["x"]}), "text", "nope", "err.missing_column"),
    (pd.DataFrame({"text": ["a"], "label": ["x"]}), "text", "text", "err.same_columns"),
])
def test_validate_refuses_unusable_tables(frame, text, label, key):
    with pytest.raises(UserError) as caught:
        validate(frame, text, label)
    assert caught.value.key == key


def test_validate_warns_about_tiny_classes():
    frame = pd.DataFrame({"text": [f"text {i}" for i in range(30)], "label": ["a"] * 27 + ["b"] * 3})
    _, report = validate(frame, "text", "label")
    assert [finding.kind for finding in report.findings] == ["small_classes"]


def awkward_frame():
    rows = ([("free prize now", "Spam"), ("free prize now", "Spam"), ("call me", "ham"), ("call me", "spam "),
             ("Ã©tÃ© garbled", "ham"), ("only once", "rare")] + [(f"hello friend {i}", "ham") for i in range(40)]
            + [(f"win cash {i}", "spam ") for i in range(3)])
    return pd.DataFrame(rows, columns=["text", "label"])


def test_findings_name_what_is_wrong_with_counts():
    _, report = validate(awkward_frame(), "text", "label")
    found = {finding.kind: finding for finding in report.findings}
    assert found["duplicates"].count == 1
    assert found["conflicts"].count == 1
    assert "'Spam' = 'spam'" in found["label_variants"].to_dict()["message"]
    assert found["single_example_classes"].severity == "error"
    assert found["mojibake"].count == 1
    assert found["imbalance"].count >= 10
    assert all(set(f.to_dict()) == {"kind", "count", "severity", "message"} for f in report.findings)


def test_choices_change_the_data_set_not_the_file():
    frame = awkward_frame()
    before = frame.copy()
    choices = CleaningChoices(drop_duplicates=True, drop_conflicts=True, merge_label_variants=True,
                              drop_single_classes=True)
    dataset, report = validate(frame, "text", "label", choices)
    pd.testing.assert_frame_equal(frame, before)
    # 'Spam' (2 rows) merges into 'spam' (4 rows, trailing space trimmed); then "call me" is
    # a conflict (ham and spam), one "free prize now" a duplicate, 'rare' a single example.
    assert (report.merged_labels, report.dropped_conflicts, report.dropped_duplicates, report.dropped_single) == (2, 2, 1, 1)
    assert set(dataset.labels) == {"ham", "spam"}
    assert "call me" not in dataset.texts and dataset.texts.count("free prize now") == 1
    assert report.rows_kept == len(frame) - 4
    assert {f.kind for f in report.findings}.isdisjoint({"duplicates", "label_variants", "single_example_classes"})
    csv_bytes = cleaned_csv(dataset)
    assert csv_bytes.startswith(b"\xef\xbb\xbf") and read_table(csv_bytes, "c.csv").shape == (len(dataset), 2)


def test_excel_sheet_is_chosen_and_reported():
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer) as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="notes", index=False)
        pd.DataFrame({"text": ["x", "y"], "label": ["p", "q"]}).to_excel(writer, sheet_name="data", index=False)
    table = load_table(buffer.getvalue(), "book.xlsx")
    # "notes" holds no table (one column), so the first sheet that does is read, with a notice.
    assert (table.sheets, table.sheet, table.encoding) == (["notes", "data"], "data", None)
    assert [finding.kind for finding in table.findings] == ["sheet_chosen"]
    assert load_table(buffer.getvalue(), "book.xlsx", sheet="notes").frame.columns.tolist() == ["a"]
    assert load_table(buffer.getvalue(), "book.xlsx", sheet="data").frame["text"].tolist() == ["x", "y"]
    with pytest.raises(UserError, match="no sheet named 'nope'"):
        load_table(buffer.getvalue(), "book.xlsx", sheet="nope")


def test_encoding_and_delimiter_are_reported_and_can_be_forced():
    french = "text;label\nÇa va très bien, merci;a\nVoilà le café où nous étions;b\nNaïve façade, déjà vu;a\n"
    table = load_table(french.encode("cp1252"), "x.csv")
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert table.frame["text"].tolist()[0] == "Ça va très bien, merci"
    assert load_table("text,label\n房间,1\n".encode("gbk"), "x.csv").encoding == "gb18030"
    with pytest.raises(UserError, match="cannot be decoded as utf-8"):
        load_table("text,label\n房间,1\n".encode("gbk"), "x.csv", encoding="utf-8")


ALL_SETS = ["sms_spam", "ag_news", "imdb", "chnsenticorp_htl", "waimai_10k", "online_shopping_10_cats",
            "thucnews_titles"]


@pytest.mark.parametrize("name", ALL_SETS)
@pytest.mark.parametrize("split", ["train", "test"])
def test_every_shared_set_loads_with_its_row_and_label_counts(name, split):
    path = SHARED / name / f"{split}.csv"
    if not path.exists():
        pytest.skip(f"{path} not found: the shared data sets are not beside this checkout")
    expected = pd.read_csv(path)
    dataset, report = load_dataset(path)
    assert (dataset.text_column, dataset.label_column) == ("text", "label")
    assert report.rows_kept == report.rows_total == len(expected)
    assert report.class_counts == {str(k): v for k, v in expected["label"].value_counts().sort_index().items()}


@pytest.mark.parametrize("name", ALL_SETS)
@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "utf-8-sig"])
def test_shared_sets_load_with_the_same_counts_in_other_encodings(name, encoding):
    path = SHARED / name / "test.csv"
    if not path.exists():
        pytest.skip(f"{path} not found: the shared data sets are not beside this checkout")
    expected = pd.read_csv(path)
    raw = path.read_text(encoding="utf-8").encode(encoding, errors="replace" if encoding == "gbk" else "strict")
    dataset, report = validate(load_table(raw, "x.csv").frame, "text", "label")
    assert report.rows_kept == len(expected)
    assert report.class_counts == {str(k): v for k, v in expected["label"].value_counts().sort_index().items()}


def test_shared_gbk_excerpt_decodes_to_chinese():
    path = SHARED / "raw_samples" / "chnsenticorp_htl_excerpt_gbk.csv"
    if not path.exists():
        pytest.skip("../shared/datasets/raw_samples is not beside this checkout")
    frame = read_table(path)
    text_column, _ = guess_columns(frame)
    assert any("酒店" in str(text) for text in frame[text_column])


def test_dropped_counts_add_up_with_corrections_and_labels_added_here():
    """Issue 27: rows left out in the label check were missing from "Dropped: your choices"."""
    frame = awkward_frame()
    choices = CleaningChoices(drop_duplicates=True, drop_conflicts=True, corrections={2: "", 10: ""},
                              added=(("a text labelled on the Label page", "ham"),))
    _, report = validate(frame, "text", "label", choices)
    assert report.dropped_by_user == 2 and report.dropped_by_choices >= 2 + report.dropped_duplicates
    assert report.rows_total + report.labelled_here == (report.rows_kept + report.dropped_empty_text
                                                        + report.dropped_empty_label + report.dropped_by_choices)
