"""Write the corpus of bad and awkward upload files in this folder.

Run ``python tests/data/make_corpus.py`` to recreate them (the output is committed; the test
``tests/core/test_corpus.py`` states what each file must give). ``legacy_excel_97.xls`` was
written once with ``xlwt`` (not a dependency). The 5 MB single-cell file is made by the test
itself, to keep the repository small.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pandas as pd

HERE = Path(__file__).parent

ENGLISH = [
    ("Free entry to win a prize, text WIN now", "spam"),
    ("Are we still meeting for lunch tomorrow?", "ham"),
    ("URGENT! Your account has been selected for a reward", "spam"),
    ("Thanks, see you at the station at six", "ham"),
    ("Call now to claim your free holiday", "spam"),
    ("Can you pick up some milk on the way home", "ham"),
]
CHINESE = [
    ("房间很干净，服务也很周到", "正面"),
    ("早餐太差了，不会再来", "负面"),
    ("位置方便，离地铁站很近", "正面"),
    ("空调坏了，前台也不管", "负面"),
    ("性价比高，推荐入住", "正面"),
    ("隔音很差，一晚没睡好", "负面"),
]


def csv_text(rows, delimiter=",", header=("text", "label"), newline="\n") -> str:
    frame = pd.DataFrame(rows, columns=list(header))
    return frame.to_csv(index=False, sep=delimiter, lineterminator=newline)


def write(name: str, data: bytes | str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(data.encode(encoding) if isinstance(data, str) else data)


def tiny_png() -> bytes:
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\x00\xff" * 2)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def workbook_bytes(sheets: dict[str, list[tuple]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class _GbkName(zipfile.ZipInfo):
    """What Windows' "Send to → Compressed folder" writes on a Chinese system: GBK name
    bytes and no UTF-8 flag (zipfile itself always flags non-ASCII names as UTF-8)."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def zip_bytes(files: dict[str, bytes], utf8_names: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = (zipfile.ZipInfo if utf8_names else _GbkName)(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def main() -> None:
    # -- files that must be refused with a clear message -----------------------------------
    write("empty.csv", b"")
    write("header_only.csv", "text,label\n")
    write("binary_junk.csv", random.Random(0).randbytes(4096))
    write("image_renamed.csv", tiny_png())
    write("pdf_renamed.xlsx", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
    write("web_page_export.xls", "<html><body><table><tr><td>text</td><td>label</td></tr>"
                                 "<tr><td>hello</td><td>a</td></tr></table></body></html>")
    write("word_document_renamed.csv", zip_bytes({"[Content_Types].xml": b"<Types/>",
                                                  "word/document.xml": b"<w:document/>"}))
    write("zip_without_folders.zip", zip_bytes({"one.txt": b"first text", "two.txt": b"second text"}))
    write("damaged.zip", zip_bytes({"spam/1.txt": b"win money"})[:40])
    write("damaged_workbook.xlsx", workbook_bytes({"Sheet1": [("text", "label"), *ENGLISH]})[:600])
    # A 50 MB member packed into ~50 kB: the loader must refuse it before unpacking.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("spam/bomb.txt", b"0" * (50 * 2**20))
    write("zip_bomb.zip", bomb.getvalue())
    write("unbalanced_quotes.csv", 'text,label\n"fine text",ham\n"this quote never closes,spam\n'
                                   "another row,ham\nlast row,spam\n")
    write("ten_thousand_columns.csv", ",".join(f"c{i}" for i in range(10_000)) + "\n"
          + ",".join(str(i % 7) for i in range(10_000)) + "\n")
    write("single_column.csv", "text\n" + "\n".join(text for text, _ in ENGLISH) + "\n")
    write("one_class_only.csv", csv_text([(text, "ham") for text, _ in ENGLISH]))
    write("all_labels_empty.csv", csv_text([(text, "") for text, _ in ENGLISH]))
    write("broken_line.jsonl", '{"text": "good", "label": "a"}\n{"text": "bad", "label": "b"}\n'
                               '{"text": "missing brace", "label": "a"\n')
    write("json_not_records.json", "[1, 2, 3]")

    # -- files that must load, with the content the test asserts ---------------------------
    write("gbk_excel_export.csv", csv_text(CHINESE, newline="\r\n"), "gbk")
    write("utf8_bom.csv", "\ufeff" + csv_text(CHINESE))
    write("semicolon_cp1252.csv", csv_text([("Très bon café", "pos"), ("Service déplorable", "neg"),
                                            ("Crème brûlée parfaite", "pos"), ("Trop cher", "neg")],
                                           delimiter=";"), "cp1252")
    write("big5.csv", csv_text([("這家飯店很乾淨", "好"), ("服務態度很差", "壞"), ("交通非常方便", "好"),
                                ("房間太小了", "壞")]), "big5")
    write("shift_jis.csv", csv_text([("とても良いホテルでした", "良い"), ("部屋が汚かったです", "悪い"),
                                     ("朝食がおいしかった", "良い"), ("二度と泊まりません", "悪い")]), "shift_jis")
    write("utf16_unicode_text.txt", "\ufeff" + csv_text(ENGLISH, delimiter="\t", newline="\r\n"), "utf-16-le")
    write("utf16_without_bom.csv", csv_text(ENGLISH), "utf-16-le")
    write("pipe_delimited.txt", csv_text(ENGLISH, delimiter="|"))
    write("quoted_line_breaks.csv", 'text,label\n"first line\nsecond line, with a comma",ham\n'
                                    '"He said ""hi""",spam\nplain,ham\n')
    write("label_variants.csv", csv_text([("win cash", "Spam"), ("free prize", "spam "), ("click here", "SPAM"),
                                          ("see you", "ham"), ("ok thanks", "ham")]))
    write("numeric_labels.csv", csv_text([("great hotel", "1"), ("awful room", "0"), ("lovely staff", "1"),
                                          ("dirty sheets", "0")]))
    write("mojibake.csv", csv_text([("Win Â£1000 cash now", "spam"), ("Itâ€™s fine, see you", "ham"),
                                    ("cafÃ© at 5?", "ham"), ("Claim your Â£500 prize", "spam")]))
    write("nul_bytes.csv", csv_text(ENGLISH).replace("\n", "\x00\n", 3))
    utf8_part = csv_text(CHINESE[:4]).encode("utf-8")
    gbk_part = "".join(f"{text},{label}\n" for text, label in CHINESE[4:]).encode("gbk")
    write("mixed_encodings.csv", utf8_part + gbk_part)
    write("ragged_rows.csv", "text,label\nhello there,ham\nbuy, now, cheap,spam\nok see you,ham\nwin a car,spam\n")
    write("blank_lines_and_spaces.csv", "\n text , label \n\n  spaced out  ,  ham \n\nwin big,spam\n\n")
    write("duplicate_and_unnamed_columns.csv", "text,label,,text\nhello,ham,x,again\nwin,spam,y,more\n")
    write("records.json", '[{"text": "good film", "label": "pos", "meta": {"id": 1}},'
                          ' {"text": "bad film", "label": "neg", "meta": {"id": 2}}]')
    write("column_mapping.json", '{"text": ["good film", "bad film", "fine"], "label": ["pos", "neg", "pos"]}')
    write("lines.jsonl", "".join(f'{{"text": "{text}", "label": "{label}"}}\n' for text, label in CHINESE))
    write("three_sheets.xlsx", workbook_bytes({
        "Notes": [("This workbook holds hotel reviews",)],
        "Reviews": [("review", "label"), *CHINESE],
        "Summary": [("label", "count"), ("正面", 3), ("负面", 3)],
    }))
    write("csv_renamed.xlsx", csv_text(ENGLISH))
    write("xlsx_renamed.csv", workbook_bytes({"Sheet1": [("text", "label"), *ENGLISH]}))
    formulas = workbook_bytes({"Sheet1": [("text", "label"), *[(text, label) for text, label in ENGLISH[:4]],
                                          (ENGLISH[4][0], '=IF(LEN(A6)>10,"spam","ham")'),
                                          ('=CONCAT("Call"," me")', "ham")]})
    write("formulas_without_values.xlsx", formulas)
    write("title_and_body.csv", csv_text([("Prize", "You won a car", "spam"), ("Lunch", "See you at noon", "ham"),
                                          ("Offer", "Cheap pills today", "spam"), ("Train", "Running late", "ham")],
                                         header=("title", "body", "label")))
    folders = {f"reviews/{label}/{i}.txt": text.encode("utf-8") for i, (text, label) in enumerate(CHINESE)}
    folders["reviews/readme.md"] = b"not an example"
    write("label_folders.zip", zip_bytes(folders))
    write("label_folders_gbk_names.zip", zip_bytes(
        {f"{label}/{i}.txt": text.encode("gbk") for i, (text, label) in enumerate(CHINESE)}, utf8_names=False))
    write("csv_in_zip.zip", zip_bytes({"export/data.csv": csv_text(ENGLISH).encode("utf-8")}))


if __name__ == "__main__":
    main()
