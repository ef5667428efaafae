"""TF-IDF + logistic regression kept as arrays: scikit-learn's probabilities, no pickle."""

import numpy as np
import pytest

from core.data.dataset import SAMPLES, load_dataset
from core.models import tfidf
from core.models.tfidf import C, TfidfModel, analyzer_for, char_grams, subwords, vectorize, with_pairs
from core.text import PreprocessConfig, tokenize


def test_chinese_uses_character_ngrams():
    assert char_grams(["酒店", "很好"]) == ["酒", "店", "很", "好", "酒店", "店很", "很好", "酒店很", "店很好"]
    assert char_grams(["好"]) == ["好"] and char_grams([]) == []
    assert analyzer_for("jieba") == analyzer_for("char") == "chars" and analyzer_for("word") == "words"


@pytest.mark.parametrize("sample", ["sms_spam", "thucnews_titles"])
def test_the_terms_and_matrix_are_scikit_learns_counted_once_and_shared(sample, monkeypatch):
    """vectorize counts the terms itself (subwords once per distinct token) and shares the counts
    between models: the features must stay exactly scikit-learn's vectorisers', the cut at the
    most terms a block keeps included (the block's limit lowered to make one)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    dataset, _ = load_dataset(SAMPLES[sample].path)
    config = PreprocessConfig(tokenizer="jieba" if sample == "thucnews_titles" else "word")
    tokens = [tokenize(text, config) for text in dataset.texts[:1500]] + [[]]
    second = char_grams if sample == "thucnews_titles" else subwords
    monkeypatch.setattr(tfidf, "CHAR_FEATURES", 3000)
    monkeypatch.setattr(tfidf, "MAX_FEATURES", 5000)
    counts: dict = {}
    for analyzer, weighting in (("words", "binary"), (analyzer_for(config.tokenizer, "svm"), "tfidf"), ("words", "tfidf")):
        features = vectorize(tokens, analyzer, weighting, counts)
        if weighting == "binary":
            vectorizers = [CountVectorizer(analyzer=with_pairs, binary=True, max_features=5000)]
        else:
            vectorizers = [TfidfVectorizer(analyzer=terms_of, sublinear_tf=True, max_features=limit, min_df=min_df)
                           for terms_of, limit, min_df in ((with_pairs, 5000, 1), (second, 3000, 2))
                           if analyzer != "words" or terms_of is with_pairs]
        expected = hstack([v.fit_transform(tokens) for v in vectorizers]).tocsr()
        terms = [t for v in vectorizers for t in sorted(v.vocabulary_, key=v.vocabulary_.__getitem__)]
        assert features.terms == terms and features.blocks == [len(v.vocabulary_) for v in vectorizers]
        assert features.matrix.shape == expected.shape and abs(features.matrix - expected).max() < 1e-12
        if weighting == "tfidf":
            np.testing.assert_allclose(features.idf, np.concatenate([v.idf_ for v in vectorizers]))
    assert set(counts) == {with_pairs, second}     # the tokens and pairs were counted once for three models
    # subwords counted per distinct token and multiplied out, character n-grams counted as integers
    # with NumPy: the same counts as text by text.
    direct, terms = tfidf._count(tokens, second)
    shared, shared_terms = counts[second]
    assert terms == shared_terms and abs(direct - shared).max() == 0
    # a NUL, a character beyond the BMP, an empty text; a lone surrogate (no UTF-32: counted the slow way)
    for odd in ([["\x00c", "好"], [], ["😀x", "x"]], [["a\ud800b"], ["ab"]]):
        for terms_of in (char_grams, subwords):
            fast, fast_terms = tfidf.term_counts(odd, terms_of)
            slow, slow_terms = tfidf._count(odd, terms_of)
            assert fast_terms == slow_terms and fast.shape == slow.shape and abs(fast - slow).max() == 0


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
    assert why["label"] == "spam" and max(why["tokens"], key=lambda item: item[1])[0] in ("winner", "claim", "prize", "free", "call")
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


def _sample_tokens(sample):
    dataset, _ = load_dataset(SAMPLES[sample].path)
    config = PreprocessConfig(tokenizer="jieba" if sample == "thucnews_titles" else "word")
    names = sorted(set(dataset.labels))
    return ([tokenize(text, config) for text in dataset.texts], np.array([names.index(label) for label in dataset.labels]),
            names, config)


@pytest.mark.parametrize("sample", ["sms_spam", "thucnews_titles"])
def test_the_svm_on_words_and_characters_scores_as_scikit_learn_and_its_probabilities_are_calibrated(sample, tmp_path):
    """Issue 29: LinearSVC over TF-IDF blocks (words; characters or runs inside words), each block
    L2-normalised on its own; the stored model gives scikit-learn's scores, and its temperature
    (fitted on held-out texts) gives probabilities no worse in log-loss than the plain softmax."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from core.models.tfidf import BLOCKS, fit_temperature, softmax

    tokens, y, names, config = _sample_tokens(sample)
    analyzer = analyzer_for(config.tokenizer, "svm")
    assert analyzer == ("words+chars" if sample == "thucnews_titles" else "words+subwords")
    model = TfidfModel.fit(tokens[:2000], y[:2000], len(names), analyzer, "svm", 1.0)
    vectorizers = [TfidfVectorizer(analyzer=terms_of, sublinear_tf=True, max_features=300_000, min_df=1 if i == 0 else 2)
                   for i, terms_of in enumerate(BLOCKS[analyzer])]
    features = hstack([v.fit_transform(tokens[:2000]) for v in vectorizers]).tocsr()
    svm = LinearSVC(C=1.0, max_iter=5000, random_state=0).fit(features, y[:2000])
    held_out = tokens[2000:] + [[], ["never-seen-token"]]
    expected = svm.decision_function(hstack([v.transform(held_out) for v in vectorizers]).tocsr())
    scores = model.scores(held_out)
    if len(names) == 2:
        np.testing.assert_allclose(scores[:, 1] - scores[:, 0], expected, atol=1e-6)
    else:
        np.testing.assert_allclose(scores, expected, atol=1e-6)
    truth = y[2000:].tolist() + [0, 0]
    factor = fit_temperature(scores, truth)

    def loss(probabilities):
        return -np.mean(np.log(probabilities[np.arange(len(truth)), truth]))

    assert loss(softmax(scores * factor)) <= loss(softmax(scores))
    calibrated = model.scaled(factor)
    assert (calibrated.predict_proba(held_out).argmax(axis=1) == scores.argmax(axis=1)).all()   # the same answers
    calibrated.save(tmp_path)
    again = TfidfModel.load(tmp_path, calibrated.terms)
    assert (again.analyzer, again.method, again.blocks) == (analyzer, "svm", calibrated.blocks)
    np.testing.assert_array_equal(again.predict_proba(held_out), calibrated.predict_proba(held_out))


def test_nb_weighted_logistic_regression_folds_the_log_count_ratio_into_its_weights():
    """NBSVM-LR (Wang & Manning 2012): presence features x, r = log-count ratio of a class, a
    logistic regression on x ⊙ r; the stored weights are w ⊙ r, so x · (w ⊙ r) is its score."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    tokens, y, names, _ = _sample_tokens("sms_spam")
    model = TfidfModel.fit(tokens[:2000], y[:2000], len(names), "words", "nblr", 1.0)
    assert model.weighting == "binary" and set(np.unique(model.idf)) == {1.0}
    vectorizer = CountVectorizer(analyzer=with_pairs, binary=True)
    x = vectorizer.fit_transform(tokens[:2000]).astype(float)
    positive = y[:2000] == 1
    p = np.asarray(x[positive].sum(axis=0)).ravel() + 1
    q = np.asarray(x[~positive].sum(axis=0)).ravel() + 1
    ratio = np.log((p / p.sum()) / (q / q.sum()))
    regression = LogisticRegression(C=1.0, solver="liblinear", max_iter=1000).fit(x.multiply(ratio).tocsr(), positive)
    held_out = tokens[2000:]
    expected = regression.predict_proba(vectorizer.transform(held_out).astype(float).multiply(ratio).tocsr())
    np.testing.assert_allclose(model.predict_proba(held_out), expected, atol=1e-5)
    # It reads a known spam text as spam.
    spam = names.index("spam")
    assert model.predict_proba([tokenize("WINNER!! claim your FREE prize, call now", PreprocessConfig())])[0].argmax() == spam
