"""The message catalog: complete in both languages, and every key the code uses exists."""

import re
import string

import pytest

from core.base.errors import UserError
from core.base.i18n import LANGUAGES, MESSAGES, pick_language, translate
from tests.conftest import ROOT

KEY_USE = re.compile(r"""\bt\(\s*f?["']([^"']+)["']|UserError\(\s*["']([^"']+)["']|\(\s*["']((?:warn|err)\.[a-z_]+)["']""")


def fields(template: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_exists_in_every_language_with_the_same_fields():
    for key, entry in MESSAGES.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(entry[lang].strip() for lang in LANGUAGES), key
        assert fields(entry["en"]) == fields(entry["zh"]), key


def used_keys():
    sources = [*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py", *ROOT.glob("core/*.py")]
    keys = set()
    for path in sources:
        for match in KEY_USE.finditer(path.read_text(encoding="utf-8")):
            keys.add(next(group for group in match.groups() if group))
    return keys


def test_every_key_used_in_code_is_in_the_catalog():
    keys = used_keys()
    assert len(keys) > 50
    patterns = [re.compile("^" + re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(key)) + "$") for key in keys]
    missing = [key for key in keys if "{" not in key and key not in MESSAGES]
    assert not missing, missing
    for pattern, key in zip(patterns, keys):
        if "{" in key:
            assert any(pattern.match(candidate) for candidate in MESSAGES), key


def test_user_error_speaks_both_languages():
    error = UserError("err.only_one_class", label="x", column="label")
    assert "Only one class" in str(error)
    assert "只有一个类别" in error.message("zh")


@pytest.mark.parametrize("header, expected", [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("en-US,en;q=0.9", "en"), ("fr-FR", "en"), (None, "en"),
])
def test_pick_language_from_browser_header(header, expected):
    assert pick_language(header) == expected


def test_translate_fills_parameters():
    assert translate("data.ready", "zh", rows=1200, classes=3) == "准备就绪：1,200 条带标签文本，共 3 个类别。"


def test_server_language_is_the_fallback(monkeypatch):
    monkeypatch.setenv("STUDIO_LANG", "zh")
    assert pick_language(None) == "zh" and pick_language("fr-FR") == "zh"
    assert pick_language("en-GB") == "en"
    monkeypatch.setenv("STUDIO_LANG", "klingon")
    assert pick_language(None) == "en"


def test_the_floor_and_the_tfidf_baseline_have_different_names():
    """Issue 17: the Chinese page said "较基线 +31.3 点" for the floor beside "普通基线更好" for TF-IDF."""
    for key in ("eval.floor", "eval.vs_floor", "eval.floor_help"):
        assert "基线" not in MESSAGES[key]["zh"] and "baseline" not in MESSAGES[key]["en"], key
    assert "下限" in MESSAGES["eval.vs_floor"]["zh"] and "floor" in MESSAGES["eval.vs_floor"]["en"]
    for outcome in ("better", "same", "worse"):   # issue 29: the baseline is the best linear model
        assert "线性基线" in MESSAGES[f"eval.verdict_{outcome}"]["zh"] and "linear" in MESSAGES[f"eval.verdict_{outcome}"]["en"]
        assert "普通基线" not in MESSAGES[f"eval.verdict_{outcome}"]["zh"]
