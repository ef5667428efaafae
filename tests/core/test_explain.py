"""Occlusion explanations: the planted word that decides the class ranks first."""

import random

import pytest

from core.data import DataSet
from core.errors import UserError
from core.explain import class_words, explain, highlight_html, top_tokens
from core.model import ModelConfig
from core.text import PreprocessConfig
from core.train import TrainConfig, train

FILLER = ("the room was fine and the staff were there at the desk with a view of the street near "
          "our hotel on monday we had breakfast late then walked to the park").split()


@pytest.fixture(scope="module")
def planted():
    """A tiny model where one word, 'zebra', decides the class."""
    rng = random.Random(0)
    texts, labels = [], []
    for i in range(600):
        words = rng.sample(FILLER, 8)
        if i % 2:
            words.insert(rng.randrange(len(words)), "zebra")
        texts.append(" ".join(words))
        labels.append("yes" if i % 2 else "no")
    result = train(DataSet(texts, labels), PreprocessConfig(min_count=1),
                   ModelConfig(embedding_dim=16, lstm_units=16, dropout_rate=0.0),
                   TrainConfig(epochs=6, learning_rate=0.01, seed=1, test_share=0.1))
    assert result.bundle.metrics["test"]["accuracy"] > 0.95
    return result.bundle


def test_the_planted_word_ranks_first(planted):
    result = explain(planted, "we walked to the zebra park on monday")
    assert result["label"] == "yes" and result["probability"] > 0.9
    assert [token for token, _ in result["tokens"]] == ["we", "walked", "to", "the", "zebra", "park", "on", "monday"]
    weights = dict(result["tokens"])
    assert max(weights, key=weights.get) == "zebra"
    assert weights["zebra"] > 0.5
    assert top_tokens(result, 1) == [("zebra", weights["zebra"])]


def test_weights_match_removing_the_token_by_hand(planted):
    result = explain(planted, "zebra at the desk")
    without = planted.predict_proba(["at the desk"])[0][planted.labels.index("yes")]
    assert result["tokens"][0][1] == pytest.approx(result["probability"] - without, abs=1e-3)


def test_another_label_and_errors(planted):
    against = explain(planted, "zebra at the desk", label="no")
    assert against["label"] == "no" and dict(against["tokens"])["zebra"] < 0
    with pytest.raises(UserError, match="not one of this model's classes"):
        explain(planted, "zebra", label="maybe")
    with pytest.raises(UserError):
        explain(planted, "   ")
    single = explain(planted, "zebra")
    assert len(single["tokens"]) == 1


def test_highlight_html_escapes_and_joins_chinese():
    html = highlight_html({"tokens": [["<script>", 0.5], ["好", 0.1], ["吃", -0.2], ["ok", 0.0]]})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "好</span><span" in html            # Chinese tokens touch
    assert "吃</span> <span" in html           # a space before a Latin word
    assert html.count("rgba(220, 38, 38") == 1  # one token against the label, in red


def test_class_words_find_the_planted_word(planted):
    texts = ["we walked to the zebra park", "the zebra at the desk", "breakfast with a view", "the room was fine"]
    words = class_words(planted, texts, top=3)
    assert words["yes"][0][0] == "zebra"
    assert "zebra" not in [token for token, _ in words.get("no", [])]
