"""Occlusion explanations: the planted word that decides the class ranks first."""

import math
import random

import numpy as np
import pytest

from core.base.errors import UserError
from core.data.dataset import DataSet
from core.evaluation.explain import class_words, explain, highlight_html, log_odds, meaningful, top_tokens, weight_text
from core.models.model import ModelConfig
from core.text import PreprocessConfig
from core.training.train import TrainConfig, train

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
    """A weight is the drop in the class's log-odds, ln p / (1 - p), without the token."""
    result = explain(planted, "zebra at the desk")
    yes = planted.labels.index("yes")
    with_zebra, without = planted.predict_proba(["zebra at the desk", "at the desk"])

    def odds(p):
        return math.log(p[yes]) - math.log(sum(p) - p[yes])

    assert result["measure"] == "log_odds"
    assert result["tokens"][0][1] == pytest.approx(odds(with_zebra) - odds(without), abs=0.01)


@pytest.fixture(scope="module")
def confident():
    """A small network on the whole English sample (3 epochs, ~7 s): 99 % accurate and very sure."""
    from core.data.dataset import SAMPLES, load_dataset

    dataset, _ = load_dataset(SAMPLES["sms_spam"].path)
    result = train(dataset, PreprocessConfig(), ModelConfig(embedding_dim=32, lstm_units=32, dropout_rate=0.1),
                   TrainConfig(epochs=3, batch_size=32, learning_rate=0.005, seed=3, class_weight="balanced"))
    assert result.bundle.metrics["test"]["accuracy"] > 0.97
    return result


def test_log_odds_tell_apart_what_the_probability_cannot():
    probabilities = np.array([[0.9990, 0.0010], [0.9985, 0.0015], [0.99999994, 0.00000006]], dtype="float32")
    odds = log_odds(probabilities, 0)
    assert round(float(probabilities[0, 0] - probabilities[1, 0]), 2) == 0.0      # the old weight: +0.00
    assert weight_text(odds[0] - odds[1]) == "+0.41"                              # the new one
    assert np.isfinite(odds).all() and odds[2] > 16                               # exact even at float32's 1.0


def test_weights_do_not_saturate_on_a_confident_prediction(confident):
    """Issue 17: "Strongest words for 'ham': me (+0.00) · dinner (+0.00) · i'll (+0.00)" on a 99.9 %
    prediction. The words' weights now differ visibly, and the CLI gives the same numbers."""
    bundle, text = confident.bundle, "I'll be home for dinner, call me later"
    result = explain(bundle, text)
    assert result["label"] == "ham" and result["probability"] > 0.99
    column = bundle.labels.index("ham")
    tokens = [token for token, _ in result["tokens"]]
    without = bundle.predict_proba([" ".join(tokens[:i] + tokens[i + 1:]) for i in range(len(tokens))])
    old = [round(float(result["probability"] - p[column]), 2) for p in without]
    assert sum(drop == 0.0 for drop in old) >= len(tokens) - 2       # what the page used to show
    top = top_tokens(result)
    assert len(top) >= 3 and len({weight for _, weight in top}) == len(top) and top[0][1] >= 0.3


def test_class_words_are_words_that_carry_meaning(confident):
    """Issue 17: SMS spam's "words behind each class" were mostly punctuation and single letters."""
    words = class_words(confident.bundle, confident.test_texts)
    shown = [token for rows in words.values() for token, _ in rows]
    assert set(words) == {"ham", "spam"} and all(meaningful(token) for token in shown)
    assert not {"-", "/", "a", "b", "c", "the", "to", "you", "."} & set(shown)
    assert "free" in [token for token, _ in words["spam"]]


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
    assert 'title="+0.50"' in html and 'title="-0.20"' in html   # the numbers the list and the CLI show
    assert "好</span><span" in html            # Chinese tokens touch
    assert "吃</span> <span" in html           # a space before a Latin word
    assert html.count("rgba(220, 38, 38") == 1  # one token against the label, in red


def test_class_words_find_the_planted_word(planted):
    texts = ["we walked to the zebra park", "the zebra at the desk", "breakfast with a view", "the room was fine"]
    words = class_words(planted, texts, top=3)
    assert words["yes"][0][0] == "zebra"
    assert "zebra" not in [token for token, _ in words.get("no", [])]

