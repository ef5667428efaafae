"""Cleaning, tokenization, vocabulary and padding."""

import numpy as np
import pytest

from core.errors import UserError
from core.text import (MAX_LENGTH_CAP, MIN_LENGTH, OOV_ID, PreprocessConfig, Vocabulary, chinese_share,
                       clean, default_config, pad, suggest_length, text_stats, tokenize)


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


def test_default_config_picks_characters_for_chinese():
    assert chinese_share(["房间很好", "服务一般", "ok"]) == pytest.approx(2 / 3)
    assert default_config(["房间很好", "服务一般"]).tokenizer == "char"
    assert default_config(["nice room", "bad service"]).tokenizer == "word"


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
