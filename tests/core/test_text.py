"""Cleaning, tokenization, vocabulary and padding."""

import json

import numpy as np
import pytest

from core.base.errors import UserError
from core.text import (
    MAX_LENGTH_CAP,
    MIN_LENGTH,
    OOV_ID,
    PreprocessConfig,
    Vocabulary,
    chinese_share,
    clean,
    default_config,
    pad,
    suggest_length,
    text_stats,
    tokenize,
)


def test_word_tokenizer_splits_words_punctuation_and_chinese_characters():
    config = PreprocessConfig()
    assert tokenize("Don't call me NOW!!", config) == ["don't", "call", "me", "now", "!", "!"]
    assert tokenize("iPhone很好用", config) == ["iphone", "很", "好", "用"]


def test_char_tokenizer_keeps_every_non_space_character():
    assert tokenize("好 吃!", PreprocessConfig(tokenizer="char")) == ["好", "吃", "!"]


def test_cleaning_options():
    text = "Visit https://x.io NOW, only $5.99!"
    config = PreprocessConfig(strip_urls=True, strip_numbers=True, strip_punctuation=True)
    assert clean(text, config) == "visit now only"
    assert clean(text, PreprocessConfig(lowercase=False)) == text


def test_stop_words_are_removed_in_both_languages():
    config = PreprocessConfig(remove_stopwords=True)
    assert tokenize("the room is great", config) == ["room", "great"]
    assert "的" not in tokenize("房间的设施", config)


def test_default_config_picks_chinese_words_for_chinese():
    assert chinese_share(["房间很好", "服务一般", "ok"]) == pytest.approx(2 / 3)
    chinese = default_config(["房间很好", "服务一般"])
    assert (chinese.tokenizer, chinese.full_width, chinese.strip_emoji) == ("jieba", True, True)
    english = default_config(["nice room", "bad service"])
    assert (english.tokenizer, english.full_width, english.strip_emoji) == ("word", False, False)


def test_suggest_length_is_the_95th_percentile_capped():
    assert suggest_length(list(range(1, 101))) == 96
    assert suggest_length([1, 2, 3]) == MIN_LENGTH
    assert suggest_length([10_000] * 5) == MAX_LENGTH_CAP


def test_vocabulary_orders_by_frequency_and_respects_min_count_and_size():
    vocabulary = Vocabulary.build([["a", "b", "a"], ["a", "c", "b"]], max_vocab=10, min_count=2)
    assert vocabulary.tokens == ["a", "b"]
    assert vocabulary.encode(["a", "c", "b"]) == [2, OOV_ID, 3]
    assert len(vocabulary) == 4
    assert Vocabulary.build([["a", "b", "a", "c"]], max_vocab=3).tokens == ["a"]
    assert Vocabulary.from_dict(vocabulary.to_dict()).encode(["b"]) == [3]


def test_encode_never_returns_an_empty_sequence():
    assert Vocabulary(["a"]).encode([]) == [OOV_ID]
    assert Vocabulary(["a"]).encode(["a"] * 9, length=4) == [2] * 4


def test_pad_is_right_padded_and_cut():
    matrix = pad([[5, 6, 7], [8]], length=2)
    assert matrix.tolist() == [[5, 6], [8, 0]]
    assert matrix.dtype == np.int32


def test_text_stats_reports_oov_share_and_truncation():
    config = PreprocessConfig(min_count=2, max_length=2)
    stats = text_stats([["a", "a", "b"], ["a"]], config)
    assert stats.token_counts == [3, 1]
    assert stats.oov_share == pytest.approx(1 / 4)
    assert stats.truncated_share == 0.5
    assert stats.suggested_length == 2


def test_config_round_trips_and_rejects_bad_values():
    config = PreprocessConfig(tokenizer="char", max_length=50)
    assert PreprocessConfig.from_dict(config.to_dict()) == config
    with pytest.raises(UserError, match="tokenizer"):
        PreprocessConfig(tokenizer="sentencepiece")


# -- Chinese (real sentences from chnsenticorp_htl, online_shopping_10_cats and waimai_10k) ---
JIEBA = PreprocessConfig(tokenizer="jieba")


def test_chinese_word_segmentation_on_real_reviews():
    assert tokenize("这家酒店的性价比很高，下次还会入住", JIEBA) == [
        "这家", "酒店", "的", "性价比", "很", "高", "，", "下次", "还会", "入住"]
    assert tokenize("送餐很快，味道也不错", JIEBA) == ["送餐", "很快", "，", "味道", "也", "不错"]
    assert tokenize("送餐很快，味道也不错", PreprocessConfig(tokenizer="char"))[:4] == ["送", "餐", "很", "快"]


def test_mixed_chinese_english_numbers_and_urls_split_sensibly():
    text = "我用iPhone 15拍的照片很好，价格2999.5元！don't worry https://t.cn/abc"
    assert tokenize(text, JIEBA) == ["我用", "iphone", "15", "拍", "的", "照片", "很", "好", "，", "价格", "2999.5",
                                     "元", "！", "don't", "worry", "https", ":", "/", "/", "t", ".", "cn", "/", "abc"]
    no_urls = PreprocessConfig(tokenizer="jieba", strip_urls=True)
    assert tokenize(text, no_urls)[-5:] == ["2999.5", "元", "！", "don't", "worry"]


def test_user_words_are_kept_whole_and_travel_in_the_config():
    text = "蒙牛真果粒真实水果醇香牛奶"
    assert tokenize(text, JIEBA)[:3] == ["蒙牛", "真果", "粒"]
    config = PreprocessConfig(tokenizer="jieba", user_words=("真果粒", " ", "真果粒"))
    assert config.user_words == ("真果粒",)
    assert tokenize(text, config)[:2] == ["蒙牛", "真果粒"]
    again = PreprocessConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config and tokenize(text, again)[:2] == ["蒙牛", "真果粒"]
    # The segmenter is built once per word list, not per call.
    from core.text import segmenter
    assert segmenter(("真果粒",)) is segmenter(("真果粒",))


def test_full_width_to_half_width():
    config = PreprocessConfig(full_width=True, lowercase=False)
    assert clean("ＯＰＰＯ　Ｒ１７手机，好用！", config) == "OPPO R17手机,好用!"
    assert clean("ＯＰＰＯ　Ｒ１７", PreprocessConfig(lowercase=False)) == "ＯＰＰＯ Ｒ１７"


def test_chinese_punctuation_is_removed():
    config = PreprocessConfig(strip_punctuation=True)
    assert clean("《三体》真好看！！还有吗？「推荐」、谢谢。", config) == "三体 真好看 还有吗 推荐 谢谢"


def test_traditional_to_simplified():
    config = PreprocessConfig(to_simplified=True)
    assert clean("這家飯店很乾淨，服務態度很好", config) == "这家饭店很干净，服务态度很好"
    assert clean("這家飯店", PreprocessConfig()) == "這家飯店"


def test_emoji_are_removed_including_old_private_use_ones():
    config = PreprocessConfig(strip_emoji=True)
    assert clean("好吃😋👍🏻，下次还点\ue415！❤️", config) == "好吃 ，下次还点 ！"
    assert clean("好吃😋", PreprocessConfig()) == "好吃😋"


def test_chinese_stop_words_from_stopwords_iso_and_editable():
    from core.text import default_stop_words
    builtin = PreprocessConfig(tokenizer="jieba", remove_stopwords=True)
    assert len(default_stop_words()) > 1000
    assert tokenize("这家酒店的性价比很高", builtin) == ["这家", "酒店", "性价比", "高"]
    # A sentiment user keeps 不 by giving the list without it.
    own = PreprocessConfig(tokenizer="jieba", remove_stopwords=True, stop_words=("的", "了"))
    assert tokenize("房间不干净的", own) == ["房间", "不", "干净"]


def test_bundle_keeps_the_stop_word_list_it_was_trained_with(tiny_chinese_result):
    stop_words = tiny_chinese_result.bundle.preprocess.stop_words
    assert stop_words is not None and "的" in stop_words



def test_html_entities_are_decoded_by_default_where_the_texts_hold_them():
    """Issue 27: the SMS sample's ``&lt;#&gt;`` and ``&amp;`` stayed as they were."""
    from core.data.dataset import SAMPLES, load_dataset
    from core.text import default_config, tokenize

    sms, _ = load_dataset(SAMPLES["sms_spam"].path)
    news, _ = load_dataset(SAMPLES["thucnews_titles"].path)
    config = default_config(sms.texts)
    assert config.decode_entities and not default_config(news.texts).decode_entities
    assert tokenize("I &lt;3 fish &amp; chips", config) == ["i", "<", "3", "fish", "&", "chips"]
    assert "lt" in tokenize("I &lt;3", PreprocessConfig())
