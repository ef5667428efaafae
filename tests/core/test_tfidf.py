"""TF-IDF + logistic regression kept as arrays: scikit-learn's probabilities, no pickle."""

import numpy as np
import pytest

from core.data.dataset import SAMPLES, load_dataset
from core.models.tfidf import C, TfidfModel, analyzer_for, char_grams, with_pairs
from core.text import PreprocessConfig, tokenize


def test_chinese_uses_character_ngrams():
    assert char_grams(["酒店", "很好"]) == ["酒", "店", "很", "好", "酒店", "店很", "很好", "酒店很", "店很好"]
    assert char_grams(["好"]) == ["好"] and char_grams([]) == []
    assert analyzer_for("jieba") == analyzer_for("char") == "chars" and analyzer_for("word") == "words"


@pytest.mark.parametrize("sample", ["sms_spam", "thucnews_titles"])
def test_probabilities_equal_scikit_learn(sample, tmp_path):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    dataset, _ = load_dataset(SAMPLES[sample].path)
    config = PreprocessConfig(tokenizer="char" if sample == "thucnews_titles" else "word")
    tokens = [tokenize(text, config) for text in dataset.texts]
    names = sorted(set(dataset.labels))
    y = np.array([names.index(label) for label in dataset.labels])
    analyzer = analyzer_for(config.tokenizer)
    model = TfidfModel.fit(tokens[:2000], y[:2000], len(names), analyzer)
    terms_of = char_grams if sample == "thucnews_titles" else with_pairs
    vectorizer = TfidfVectorizer(analyzer=terms_of, sublinear_tf=True, max_features=300_000)
    regression = LogisticRegression(C=C, solver="saga", max_iter=200, tol=1e-3, random_state=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        regression.fit(vectorizer.fit_transform(tokens[:2000]), y[:2000])
    held_out = tokens[2000:] + [[], ["never-seen-token"]]
    expected = regression.predict_proba(vectorizer.transform(held_out))
    np.testing.assert_allclose(model.predict_proba(held_out), expected, atol=1e-5)

    model.save(tmp_path)
    again = TfidfModel.load(tmp_path, model.terms)
    assert again.analyzer == analyzer
    np.testing.assert_array_equal(again.predict_proba(held_out), model.predict_proba(held_out))
    with pytest.raises(ValueError):
        TfidfModel.load(tmp_path, model.terms[:-1])


def test_a_bundle_saved_before_character_ngrams_still_loads(tmp_path):
    """tfidf.npz without an analyzer (saved before it existed) means tokens and token pairs."""
    model = TfidfModel.fit([["free", "prize"], ["see", "you"]], np.array([1, 0]), 2)
    np.savez_compressed(tmp_path / "tfidf.npz", idf=model.idf, coef=model.coef, intercept=model.intercept)
    old = TfidfModel.load(tmp_path, model.terms)
    assert old.analyzer == "words"
    np.testing.assert_array_equal(old.predict_proba([["free", "prize"]]), model.predict_proba([["free", "prize"]]))


def test_a_tfidf_bundle_works_like_the_lstm_one(tmp_path):
    from core.base.errors import UserError
    from core.evaluation.explain import explain
    from core.models.bundle import Bundle
    from core.models.evaluate import evaluate
    from core.models.export import export_savedmodel
    from core.models.package import bundle_zip, unpack_bundle
    from core.store import ModelStore
    from core.training.train import TrainConfig, train_tfidf
    from tests.core.conftest import small_sample

    result = train_tfidf(small_sample(rows=1500), PreprocessConfig(), TrainConfig(seed=1))
    bundle = result.bundle
    assert bundle.kind == "tfidf" and bundle.outputs == 2 and bundle.metrics["test"]["accuracy"] > 0.9
    texts = ["WINNER!! claim your free prize, call now", "see you at lunch", ""]
    saved = bundle.save(tmp_path / "b")
    assert (saved / "tfidf.npz").is_file() and not (saved / "model.keras").exists()
    loaded = Bundle.load(saved)
    np.testing.assert_array_equal(loaded.predict_proba(texts), bundle.predict_proba(texts))
    assert loaded.predict(texts[:1]) == ["spam"]
    assert evaluate(loaded, result.test_texts, result.test_labels).accuracy == bundle.info.test.accuracy
    why = explain(loaded, texts[0])
    assert why["label"] == "spam" and max(why["tokens"], key=lambda item: item[1])[0] in ("claim", "prize", "free", "call")
    p_spam = float(loaded.predict_proba(texts[:1])[0, 1])
    assert 0.5 < p_spam < 0.999
    loaded.set_decision("spam", round(p_spam + 0.0005, 4))  # just above this text's probability
    assert loaded.predict(texts[:1]) == ["ham"]

    again = unpack_bundle(bundle_zip(saved, "tfidf", "sms"), tmp_path / "uploaded")
    np.testing.assert_array_equal(again.predict_proba(texts), bundle.predict_proba(texts))
    with pytest.raises(UserError) as error:
        export_savedmodel(bundle, tmp_path / "export")
    assert error.value.key == "err.export_tfidf"
    store = ModelStore(tmp_path / "store")
    entry = store.add(bundle, "tfidf", "sms", result.test_texts, result.test_labels)
    assert store.repair() == {"added": 0, "dropped": 0, "cleaned": 0}
    assert store.load(entry.model_id).kind == "tfidf"
