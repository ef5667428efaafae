"""Property-based tests with random Unicode — right-to-left marks and scripts, zero-width
characters, emoji sequences, combining marks, full-width forms, lone surrogates: the loader and
the text pipeline raise nothing but :class:`UserError` and give the same result every time."""

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.base.errors import UserError
from core.data.reading import load_table, read_pasted
from core.text import PreprocessConfig, Vocabulary, tokenize

AWKWARD = list(
    "\u200f\u200e\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2069"    # direction marks and overrides
    "\u200b\u200c\u200d\u2060\ufeff\u00ad"                              # zero-width characters, soft hyphen
    "שלום مرحبا"                                                          # Hebrew, Arabic
    "😀👍🏽👨‍👩‍👧🇨🇳🏳️‍🌈"                                                 # emoji, modifiers, ZWJ sequences, flags
    "e\u0301\u0300\u20dd"                                                 # combining marks
    "ＡＢＣ１２３，。！？《》“”"                                            # full-width forms, Chinese punctuation
    "中文繁體測試電腦"                                                     # Simplified and Traditional Chinese
    "\ud800\udbff\udc00\udfff"                                            # lone surrogates
    "\x00\x07\t\n\r\x85\u2028\u2029 "                                     # control characters, line breaks
    "aZ09.,!?@#$%^&*()[]{}<>/\\'\"-_=+~`|;:"                              # ASCII
    "http://x.cn www.a.com 3.14 1,000"
)
TEXT = st.text(st.one_of(st.sampled_from(AWKWARD), st.characters()), max_size=120)
CONFIGS = [
    PreprocessConfig(),
    PreprocessConfig(tokenizer="char"),
    PreprocessConfig(tokenizer="jieba"),
    PreprocessConfig(tokenizer="jieba", remove_stopwords=True, full_width=True, to_simplified=True, strip_emoji=True),
    PreprocessConfig(lowercase=False, strip_punctuation=True, strip_numbers=True, strip_urls=True, strip_emoji=True,
                     remove_stopwords=True, full_width=True),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_the_text_pipeline_takes_any_unicode_and_repeats_itself(text):
    for config in CONFIGS:
        tokens = tokenize(text, config)
        assert isinstance(tokens, list) and all(isinstance(token, str) and token for token in tokens)
        assert all(not any(char.isspace() for char in token) for token in tokens)
        # Every token is valid UTF-8 text (no lone surrogate survives into a model or a file).
        assert all(token.encode("utf-8") for token in tokens)
        assert tokenize(text, config) == tokens
    vocabulary = Vocabulary.build([tokenize(text, CONFIGS[0])], 100, 1)
    ids = vocabulary.encode(tokenize(text, CONFIGS[0]), 50)
    assert ids == vocabulary.encode(tokenize(text, CONFIGS[0]), 50) and all(0 < i < len(vocabulary) for i in ids)


def _outcome(action):
    try:
        table = action()
    except UserError as error:
        assert str(error) and "\n" not in str(error)
        return ("error", error.key)
    assert isinstance(table.frame, pd.DataFrame)
    return ("table", table.frame.to_json(), list(table.frame.columns))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=12),
       name=st.sampled_from(["data.csv", "data.tsv", "data.jsonl", "data.txt"]),
       encoding=st.sampled_from(["utf-8", "utf-16", "gb18030"]))
def test_the_loader_takes_random_unicode_files_and_repeats_itself(rows, name, encoding):
    import csv
    import io
    import json

    if name.endswith(".jsonl"):
        body = "\n".join(json.dumps({"text": text, "label": label}, ensure_ascii=False) for text, label in rows)
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="\t" if name.endswith(".tsv") else ",")
        writer.writerow(["text", "label"])
        writer.writerows(rows)
        body = buffer.getvalue()
    # Lone surrogates reach the bytes as they would from a broken exporter (CESU-style bytes).
    raw = body.encode(encoding, errors="surrogatepass" if encoding == "utf-8" else "replace")
    first = _outcome(lambda: load_table(raw, name))
    assert _outcome(lambda: load_table(raw, name)) == first


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_pasted_rows_take_random_unicode_and_repeat_themselves(text):
    first = _outcome(lambda: read_pasted(text + "\tlabel\n" + text[::-1] + "\tother"))
    assert _outcome(lambda: read_pasted(text + "\tlabel\n" + text[::-1] + "\tother")) == first
