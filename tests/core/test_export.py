"""SavedModel export: raw strings in, the app's probabilities and labels out."""

from dataclasses import replace

import numpy as np
import pytest

from core.base.errors import UserError
from core.data.dataset import SAMPLES, load_dataset
from core.models.bundle import Bundle
from core.models.export import export_savedmodel
from core.models.model import ModelConfig, build_model
from core.text import PreprocessConfig, Vocabulary, tokenize

tf = pytest.importorskip("tensorflow")

AWKWARD = ["", "   ", "ＦＲＥＥ　ｐｒｉｚｅ！！ http://x.com/a?b=1 www.win.cn 2,999.50 don't", "中文abc😀 OK。《好》",
           "Tab\there\u00a0nbsp\u2003em-space", "café Ünïcödé ΑΒΓ", "ok\U0001F44D\uE415", "3.14,2,718 a_b __init__",
           "It's 10:30 — call 0800-123!", "\u200d\ufe0f\u20e3",
           "I &lt;3 u &amp;amp; &#39;x&#39;&nbsp;y &gt;&gt; &quot;ok&quot;"]


def untrained_bundle(texts, config: PreprocessConfig) -> Bundle:
    """A real (untrained) tiny Keras model with a vocabulary built from ``texts``."""
    tokens = [tokenize(text, config) for text in texts]
    vocabulary = Vocabulary.build(tokens, 5000)
    model = build_model(len(vocabulary), 2, ModelConfig(embedding_dim=8, lstm_units=8))
    config = replace(config, max_length=40)
    return Bundle(model, config, vocabulary, ["a", "b"])


@pytest.mark.parametrize("sample, config", [
    ("sms_spam", PreprocessConfig()),
    ("sms_spam", PreprocessConfig(decode_entities=True, strip_punctuation=True)),
    ("sms_spam", PreprocessConfig(lowercase=False, strip_punctuation=True, strip_numbers=True, strip_urls=True,
                                  remove_stopwords=True)),
    ("thucnews_titles", PreprocessConfig(tokenizer="char", full_width=True, strip_emoji=True)),
    ("thucnews_titles", PreprocessConfig(tokenizer="word", remove_stopwords=True, strip_punctuation=True)),
])
def test_graph_tokens_equal_python_tokens_on_real_texts(sample, config, tmp_path):
    dataset, _ = load_dataset(SAMPLES[sample].path)
    texts = dataset.texts + AWKWARD
    bundle = untrained_bundle(texts, config)
    exported = tf.saved_model.load(str(export_savedmodel(bundle, tmp_path / "export")))
    rows = exported.signatures["tokenize"](text=tf.constant(texts))["tokens"].numpy()
    mismatches = [(text, [t.decode() for t in row if t], tokenize(text, config)) for text, row in zip(texts, rows)
                  if [t.decode() for t in row if t] != tokenize(text, config)]
    assert mismatches == [], mismatches[:3]


def test_export_gives_the_app_probabilities_and_labels(tiny_result, tmp_path):
    import copy

    bundle = tiny_result.bundle
    texts = list(tiny_result.test_texts) + AWKWARD
    directory = export_savedmodel(bundle, tmp_path / "serve")
    serve = tf.saved_model.load(str(directory)).signatures["serving_default"]
    assert list(serve.structured_input_signature[1]) == ["text"]
    out = serve(text=tf.constant(texts))
    np.testing.assert_allclose(out["probabilities"].numpy(), bundle.predict_proba(texts), atol=1e-5)
    assert [label.decode() for label in out["label"].numpy()] == bundle.predict(texts)

    # A saved decision threshold travels into the export.
    decided = Bundle(bundle.model, bundle.preprocess, bundle.vocabulary, list(bundle.labels),
                     copy.deepcopy(bundle.settings), {})
    p_spam = bundle.predict_proba(texts)[:, 1]
    decided.set_decision("spam", float(np.quantile(p_spam, 0.5)))
    out = tf.saved_model.load(str(export_savedmodel(decided, tmp_path / "serve"))).signatures["serving_default"](
        text=tf.constant(texts))
    labels = [label.decode() for label in out["label"].numpy()]
    assert labels == decided.predict(texts) and labels != bundle.predict(texts)


def test_what_cannot_run_in_a_graph_is_refused(tmp_path):
    for config, key in [(PreprocessConfig(tokenizer="jieba"), "err.export_jieba"),
                        (PreprocessConfig(tokenizer="char", to_simplified=True), "err.export_opencc")]:
        with pytest.raises(UserError) as error:
            export_savedmodel(untrained_bundle(["中文"], config), tmp_path / "x")
        assert error.value.key == key
    assert not (tmp_path / "x").exists()
