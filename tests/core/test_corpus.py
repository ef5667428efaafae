"""Every file in tests/data/ (bad and awkward uploads) loads with the right content or is
refused with the package's own error and a message a person understands.

The files are written by ``tests/data/make_corpus.py`` (committed output). Random bytes and random CSV-ish text (hypothesis) must
never escape as anything but :class:`core.base.errors.UserError`.
"""

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.base.errors import UserError
from core.data.dataset import MAX_TEXT_CHARS, load_dataset, load_table, read_pasted, validate

DATA = Path(__file__).parents[1] / "data"
CHINESE_FIRST = "房间很干净，服务也很周到"
ENGLISH_FIRST = "Free entry to win a prize, text WIN now"
ZH_CLASSES = {"正面": 3, "负面": 3}
EN_CLASSES = {"ham": 3, "spam": 3}

# file → what it must give: an error (catalog key, words the message must contain) or data.
REFUSED = {
    "empty.csv": ("err.file_empty", "is empty"),
    "header_only.csv": ("err.header_only", "no data rows"),
    "binary_junk.csv": ("err.binary_file", "not a text table"),
    "image_renamed.csv": ("err.wrong_kind", "is a PNG image, not a table"),
    "pdf_renamed.xlsx": ("err.wrong_kind", "is a PDF document"),
    "web_page_export.xls": ("err.html_table", "web page"),
    "word_document_renamed.csv": ("err.wrong_kind", "Word"),
    "zip_without_folders.zip": ("err.zip_no_folders", "folder named after the class"),
    "damaged.zip": ("err.damaged_zip", "damaged"),
    "damaged_workbook.xlsx": ("err.unreadable", "Save it again"),
    "zip_bomb.zip": ("err.zip_bomb", "was not unpacked"),
    "unbalanced_quotes.csv": ("err.unclosed_quote", "line 3 is never closed"),
    "ten_thousand_columns.csv": ("err.too_many_columns", "has 10000 columns"),
    "single_column.csv": ("err.need_label_column", "a single column ('text')"),
    "one_class_only.csv": ("err.only_one_class", "Only one class ('ham')"),
    "all_labels_empty.csv": ("err.no_usable_rows", "every row has an empty text or label"),
    "broken_line.jsonl": ("err.bad_json", "Line 3 is not valid JSON"),
    "json_not_records.json": ("err.json_shape", "not a list of records"),
}

# file → (encoding or None, delimiter or None, classes, first text, finding kinds that must be present)
LOADED = {
    "gbk_excel_export.csv": ("gb18030", ",", ZH_CLASSES, CHINESE_FIRST, set()),
    "utf8_bom.csv": ("utf-8-sig", ",", ZH_CLASSES, CHINESE_FIRST, set()),
    "semicolon_cp1252.csv": ("cp1252", ";", {"neg": 2, "pos": 2}, "Très bon café", set()),
    "big5.csv": ("big5", ",", {"壞": 2, "好": 2}, "這家飯店很乾淨", set()),
    "shift_jis.csv": ("cp932", ",", {"悪い": 2, "良い": 2}, "とても良いホテルでした", set()),
    "utf16_unicode_text.txt": ("utf-16", "\t", EN_CLASSES, ENGLISH_FIRST, set()),
    "utf16_without_bom.csv": ("utf-16-le", ",", EN_CLASSES, ENGLISH_FIRST, set()),
    "pipe_delimited.txt": ("utf-8", "|", EN_CLASSES, ENGLISH_FIRST, set()),
    "quoted_line_breaks.csv": ("utf-8", ",", {"ham": 2, "spam": 1}, "first line\nsecond line, with a comma", set()),
    "label_variants.csv": ("utf-8", ",", {"SPAM": 1, "Spam": 1, "ham": 2, "spam": 1}, "win cash", {"label_variants"}),
    "numeric_labels.csv": ("utf-8", ",", {"0": 2, "1": 2}, "great hotel", set()),
    "mojibake.csv": ("utf-8", ",", {"ham": 2, "spam": 2}, "Win Â£1000 cash now", {"mojibake"}),
    "nul_bytes.csv": ("utf-8", ",", EN_CLASSES, ENGLISH_FIRST, {"nul_bytes"}),
    "mixed_encodings.csv": ("utf-8 + gb18030", ",", ZH_CLASSES, CHINESE_FIRST, {"mixed_encoding"}),
    "ragged_rows.csv": ("utf-8", ",", {"ham": 2, "spam": 1}, "hello there", {"skipped_lines"}),
    "blank_lines_and_spaces.csv": ("utf-8", ",", {"ham": 1, "spam": 1}, "spaced out", set()),
    "duplicate_and_unnamed_columns.csv": ("utf-8", ",", {"ham": 1, "spam": 1}, "hello", set()),
    "records.json": ("utf-8", None, {"neg": 1, "pos": 1}, "good film", set()),
    "column_mapping.json": ("utf-8", None, {"neg": 1, "pos": 2}, "good film", set()),
    "lines.jsonl": ("utf-8", None, ZH_CLASSES, CHINESE_FIRST, set()),
    "three_sheets.xlsx": (None, None, ZH_CLASSES, CHINESE_FIRST, {"sheet_chosen"}),
    "legacy_excel_97.xls": (None, None, {"0": 2, "1": 2}, "房间干净，早餐丰富", set()),
    "csv_renamed.xlsx": ("utf-8", ",", EN_CLASSES, ENGLISH_FIRST, {"format_mismatch"}),
    "xlsx_renamed.csv": (None, None, EN_CLASSES, ENGLISH_FIRST, {"format_mismatch"}),
    "formulas_without_values.xlsx": (None, None, {"ham": 2, "spam": 2}, ENGLISH_FIRST, {"formulas"}),
    "title_and_body.csv": ("utf-8", ",", {"ham": 2, "spam": 2}, "You won a car", set()),
    "label_folders.zip": ("utf-8", None, ZH_CLASSES, CHINESE_FIRST, {"zip_skipped"}),
    "label_folders_gbk_names.zip": ("gb18030", None, ZH_CLASSES, CHINESE_FIRST, set()),
    "csv_in_zip.zip": ("utf-8", ",", EN_CLASSES, ENGLISH_FIRST, set()),
}


def test_the_corpus_has_30_or_more_files_and_each_is_covered():
    files = {path.name for path in DATA.iterdir() if path.suffix != ".py" and path.name != "README.md"}
    assert len(files) >= 30
    assert files == set(REFUSED) | set(LOADED)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_files_say_what_to_do(name):
    key, words = REFUSED[name]
    with pytest.raises(UserError) as caught:
        load_dataset(DATA / name)
    assert caught.value.key == key
    message = str(caught.value)
    assert words in message
    assert "\n" not in message and "Traceback" not in message
    assert caught.value.message("zh") != message  # there is a Chinese text too


@pytest.mark.parametrize("name", sorted(LOADED))
def test_awkward_files_load_with_the_right_content(name):
    encoding, delimiter, classes, first, kinds = LOADED[name]
    table = load_table(DATA / name)
    dataset, report = load_dataset(DATA / name)
    assert table.encoding == encoding
    assert table.delimiter == delimiter
    assert report.class_counts == classes
    assert dataset.texts[0] == first
    assert kinds <= {finding.kind for finding in report.findings}
    assert all(finding.to_dict()["message"] for finding in report.findings)


def test_details_of_awkward_files():
    assert load_table(DATA / "three_sheets.xlsx").sheets == ["Notes", "Reviews", "Summary"]
    summary = load_table(DATA / "three_sheets.xlsx", sheet="Summary").frame
    assert summary.columns.tolist() == ["label", "count"]
    assert load_table(DATA / "duplicate_and_unnamed_columns.csv").frame.columns.tolist() == [
        "text", "label", "column 3", "text.1"]
    ragged = load_dataset(DATA / "ragged_rows.csv")[1]
    assert next(f for f in ragged.findings if f.kind == "skipped_lines").params["lines"] == "3"
    formulas = load_dataset(DATA / "formulas_without_values.xlsx")[1]
    assert next(f for f in formulas.findings if f.kind == "formulas").count == 2
    assert formulas.dropped_empty_label == 1 and formulas.dropped_empty_text == 1
    mixed = load_dataset(DATA / "mixed_encodings.csv")[0]
    assert mixed.texts[-2:] == ["性价比高，推荐入住", "隔音很差，一晚没睡好"]
    zipped = load_table(DATA / "label_folders.zip").frame
    assert sorted(zipped["file"])[0] == "reviews/正面/0.txt"
    nul = load_dataset(DATA / "nul_bytes.csv")[0]
    assert not any("\x00" in text or "\x00" in label for text, label in zip(nul.texts, nul.labels))


def test_several_text_columns_are_joined():
    dataset, _ = load_dataset(DATA / "title_and_body.csv", text_column=["title", "body"])
    assert dataset.texts[0] == "Prize\nYou won a car"
    assert dataset.text_column == "title + body" and dataset.text_columns == ["title", "body"]


def test_numeric_labels_can_be_named_for_display():
    from core.data.dataset import CleaningChoices

    dataset, report = load_dataset(DATA / "numeric_labels.csv",
                                   choices=CleaningChoices(label_names={"0": "negative", "1": "positive"}))
    assert report.class_counts == {"negative": 2, "positive": 2}
    assert report.renamed_labels == 4
    # The file itself is untouched: read again without names, the labels are 0/1.
    assert load_dataset(DATA / "numeric_labels.csv")[1].class_counts == {"0": 2, "1": 2}


def test_a_5_mb_single_cell_is_truncated_with_a_notice(tmp_path):
    path = tmp_path / "huge_cell.csv"
    path.write_text("text,label\n" + "word " * (1024 * 1024) + ",spam\nshort text,ham\nanother,ham\n")
    assert path.stat().st_size > 5 * 2**20
    dataset, report = load_dataset(path)
    assert len(dataset.texts[0]) == MAX_TEXT_CHARS
    assert report.truncated_texts == 1
    finding = next(f for f in report.findings if f.kind == "truncated")
    assert "cut to that length" in finding.to_dict()["message"]


def test_zip_member_sizes_are_checked_before_unpacking(tmp_path):
    # A header that claims more than the limit is refused without reading the data.
    from core.data import reading

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("spam/a.txt", b"win")
        archive.writestr("ham/b.txt", b"hello")
    raw = bytearray(buffer.getvalue())
    with pytest.raises(UserError) as caught:
        original = reading.MAX_UNZIPPED_BYTES
        reading.MAX_UNZIPPED_BYTES = 4
        try:
            reading.table_from_bytes(bytes(raw), "small.zip")   # the reader itself: a fenced child has its own
        finally:
            reading.MAX_UNZIPPED_BYTES = original
    assert caught.value.key == "err.zip_bomb"


def test_upload_limit_is_the_same_in_streamlit_and_core():
    import tomllib

    from core.data.reading import MAX_FILE_MB

    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_FILE_MB
    with pytest.raises(UserError) as caught:
        load_table(b"x" * (MAX_FILE_MB * 2**20 + 1), "big.csv")
    assert caught.value.key == "err.file_too_large"


def test_pasted_rows_from_a_spreadsheet():
    table = read_pasted("text\tlabel\nwin a prize\tspam\nsee you soon\tham\n")
    assert table.delimiter == "\t"
    dataset, report = validate(table.frame, "text", "label")
    assert report.class_counts == {"ham": 1, "spam": 1}
    with pytest.raises(UserError) as caught:
        read_pasted("   ")
    assert caught.value.key == "err.file_empty"
    # A lone surrogate (a browser can paste one; no encoder takes it) becomes U+FFFD.
    assert read_pasted("text\tlabel\nok \ud800\tspam").frame["text"].tolist() == ["ok \ufffd"]


def test_lines_longer_than_the_header_keep_every_column_and_say_so():
    # Found by the fuzz test: pandas made the first column the row index when every line had one
    # value more than the header, so the text column vanished without a word.
    table = read_pasted("text,label\nhello, world,spam\nbye, now,ham")
    assert list(table.frame.columns) == ["text", "label"] and table.frame.index.tolist() == [0, 1]
    assert table.frame["text"].tolist() == ["hello", "bye"]
    assert [finding.kind for finding in table.findings] == ["extra_fields"]
    assert "double quotes" in table.findings[0].to_dict()["message"]


# -- property-based: nothing but UserError may escape the loader ---------------------------
SUFFIXES = ["data.csv", "data.tsv", "data.txt", "data.xlsx", "data.xls", "data.json", "data.jsonl", "data.zip"]


def _load_anything(raw: bytes, name: str):
    try:
        table = load_table(raw, name)
    except UserError as error:
        assert str(error) and "\n" not in str(error)
        return None
    assert isinstance(table.frame, pd.DataFrame) and len(table.frame) > 0
    try:
        load_dataset_from(table)
    except UserError:
        pass
    return table


def load_dataset_from(table):
    from core.data.dataset import guess_columns

    text, label = guess_columns(table.frame)
    return validate(table.frame, text, label)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=2000), name=st.sampled_from(SUFFIXES))
def test_random_bytes_never_crash_the_loader(raw, name):
    _load_anything(raw, name)


CSV_ALPHABET = st.sampled_from(list(',;\t|"\n\r \\\'abcxyz01é中文\x00\ufeff'))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(CSV_ALPHABET, max_size=400), name=st.sampled_from(["data.csv", "data.tsv", "data.jsonl"]),
       encoding=st.sampled_from(["utf-8", "utf-16", "gb18030", "utf-8-sig"]))
def test_random_csvish_text_never_crashes_the_loader(text, name, encoding):
    _load_anything(text.encode(encoding, errors="ignore"), name)
