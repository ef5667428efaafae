"""The *quick model* of the label check, active learning and the learning curve: TF-IDF (the
app's features, :mod:`core.models.tfidf`) + logistic regression, seconds on the CPU, so a person
can act on the answer at once; and its out-of-fold probabilities (each text scored by a model that
never saw it)."""

from __future__ import annotations

import warnings

import numpy as np

from core.models.tfidf import ANALYZERS, analyzer_for
from core.text import PreprocessConfig, tokenize

QUICK_C = 4.0            # the quick model's inverse regularisation (scores, not the best accuracy, matter here)

QUICK_FEATURES = 100_000

FOLDS = 5

def _vectorizer(analyzer: str):
    # lazy: scikit-learn takes ~1 s to load: only fitting and scoring pay for it
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=ANALYZERS[analyzer], sublinear_tf=True, max_features=QUICK_FEATURES)

def _regression():
    # lazy: scikit-learn takes ~1 s to load: only fitting and scoring pay for it
    from sklearn.linear_model import LogisticRegression

    # Balanced class weights: a text of a small class filed under a large one still stands out
    # (sms_spam, 5 % of labels flipped: 88.8 % of the 125 most suspicious rows are flipped ones, 87.2 % without).
    return LogisticRegression(C=QUICK_C, solver="saga", max_iter=100, tol=1e-3, random_state=0,
                              class_weight="balanced")

def _fit(features, y):
    # lazy: scikit-learn takes ~1 s to load: only fitting and scoring pay for it
    from sklearn.exceptions import ConvergenceWarning

    model = _regression()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(features, y)
    return model

def _probabilities(model, features, classes: int) -> np.ndarray:
    """Probabilities over all ``classes`` (a class the fold never saw gets 0)."""
    out = np.zeros((features.shape[0], classes))
    out[:, model.classes_] = model.predict_proba(features)
    return out

def _quick_predict(train_tokens, y, test_tokens, analyzer: str) -> np.ndarray:
    """Class indices the quick model, fitted on ``train_tokens`` / ``y``, gives ``test_tokens``."""
    vectorizer = _vectorizer(analyzer)
    return _fit(vectorizer.fit_transform(train_tokens), y).predict(vectorizer.transform(test_tokens))

def _tokens(texts, preprocess: PreprocessConfig | None):
    preprocess = preprocess or PreprocessConfig()
    return [tokenize(text, preprocess) for text in texts], analyzer_for(preprocess.tokenizer)

def out_of_fold(token_lists, y, classes: int, analyzer: str = "words", folds: int = FOLDS, seed: int = 0) -> np.ndarray:
    """Each row's class probabilities from a quick model trained on the other folds
    (stratified, seeded). The TF-IDF weights are learned once from all texts (no labels)."""
    # lazy: scikit-learn takes ~1 s to load: only fitting and scoring pay for it
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y)
    features = _vectorizer(analyzer).fit_transform(token_lists)
    smallest = int(np.bincount(y, minlength=classes)[np.bincount(y, minlength=classes) > 0].min())
    folds = max(2, min(folds, smallest))
    probabilities = np.zeros((len(y), classes))
    for train_rows, held_out in StratifiedKFold(folds, shuffle=True, random_state=seed).split(features, y):
        model = _fit(features[train_rows], y[train_rows])
        probabilities[held_out] = _probabilities(model, features[held_out], classes)
    return probabilities
