"""The linear models of a run, fitted first and in seconds (issue 29).

Automatic and a "linear models" run both fit the three linear candidates of :data:`LINEAR` on the
training part of one split, each with the inverse regularisation strength of its grid that is
most accurate on validation, its probabilities calibrated there (a temperature,
:func:`core.models.tfidf.fit_temperature`), and keep the best (:func:`choose`: a tie keeps the
simpler). Then the one kept (or blended) is fitted again on the training and validation parts
together (it has no epoch to pick on them): :func:`refitted`, :func:`kept`. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
from threadpoolctl import threadpool_limits

from core.models.tfidf import C as TFIDF_C
from core.models.tfidf import TfidfModel, analyzer_for, fit_temperature, softmax, vectorize
from core.training.batching import Split

# The linear candidates (simplest first), their method (core.models.tfidf.METHODS) and the
# inverse regularisation strengths tried on validation. TF-IDF + LR keeps its one tuned C; the
# grids of NB-LR and the SVM hold the values the peers' tuning picked on 6 of 7 shared sets
# (bench/peers.py: 0.25, 1 or 4).
LINEAR = {"tfidf": ("lr", (TFIDF_C,)), "nblr": ("nblr", (0.25, 1.0, 4.0)), "svm": ("svm", (0.25, 1.0, 4.0))}
# A candidate is kept over a simpler one only when it gets at least this many more validation
# texts right: one text is a tie (on sms_spam's 413 validation texts, 0.24 points, and such ties
# flipped between the SVM and the network from one run to the next while their test accuracies
# stood 0.9 points apart).
MIN_GAIN_TEXTS = 2
REFIT = True   # after choosing, the kept linear model is fitted again on training + validation texts


def log_loss(probabilities, y) -> float:
    """Mean negative log-probability of the true classes."""
    return float(-np.mean(np.log(np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1.0))))


def accuracy(probabilities, y) -> float:
    """Share of rows whose most probable class is ``y`` (0 for no rows)."""
    return float(np.mean(probabilities.argmax(axis=1) == y)) if len(y) else 0.0


def choose(val_probabilities: dict, y_val) -> tuple[str, dict]:
    """The candidate most accurate on validation, and every candidate's validation accuracy:
    ``val_probabilities`` maps names to probabilities, simplest first; a more complex one is kept
    only when it gets at least :data:`MIN_GAIN_TEXTS` more validation texts right than the one
    kept so far (one text more is a tie, and a tie keeps the simpler).

    >>> y = np.array([0, 1, 1])
    >>> simple, better = np.array([[.6, .4], [.3, .7], [.6, .4]]), np.array([[.9, .1], [.2, .8], [.2, .8]])
    >>> choose({"tfidf": simple, "network": better}, y)      # one text more: a tie
    ('tfidf', {'tfidf': 0.6666666666666666, 'network': 1.0})
    >>> choose({"tfidf": simple[:, ::-1], "network": better}, y)[0]
    'network'
    """
    y_val = np.asarray(y_val)
    val = {name: accuracy(p, y_val) for name, p in val_probabilities.items()}
    right = {name: int(round(val[name] * len(y_val))) for name in val}
    chosen = next(iter(val))
    for name in val:
        if right[name] >= right[chosen] + MIN_GAIN_TEXTS:
            chosen = name
    return chosen, val


# A grid's values of C are fitted side by side in threads (liblinear and saga release the GIL), with
# OpenBLAS kept to one thread meanwhile: liblinear's logistic regression calls BLAS, whose own
# threads on top made NB-LR's grid slower (thucnews_titles: 2.2–2.8 s one after the other with
# OpenBLAS's 2 threads, 2.0 s with one, 1.4–1.5 s in threads with one).
BLAS_THREADS = 1
_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    """One pool per process, a thread per core (at most 3: a grid's values)."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=max(1, min(3, os.cpu_count() or 1)), thread_name_prefix="linear")
    return _POOL


@dataclass
class LinearFit:
    """One linear candidate: the model fitted on the training part (probabilities calibrated on
    validation), its C, the temperature's factor and its validation probabilities; ``full``, the
    same fitted again on the training and validation parts (:data:`REFIT`), and the seconds all
    its fits took."""

    name: str
    model: TfidfModel
    c: float
    factor: float
    val_probabilities: np.ndarray
    seconds: float
    full: TfidfModel | None = None


def fit_linear(name: str, token_lists, y, split: Split, classes: int, tokenizer: str,
               counts: dict | None = None) -> LinearFit:
    """Fit the linear candidate ``name`` (:data:`LINEAR`): with each C of its grid on the training
    part (side by side in threads: :data:`BLAS_THREADS`), keeping the most accurate on validation (ties:
    the lower log-loss), its probabilities calibrated on validation
    (:func:`core.models.tfidf.fit_temperature`). :func:`refitted` fits it again on the training and
    validation parts — only the model a run keeps needs it.

    The texts are vectorised once, over the training and validation parts together
    (:func:`core.models.tfidf.vectorize`: making the terms is most of the cost): the terms and
    their document frequencies include the validation texts' — their words, never their labels —
    and the refit uses exactly those features. ``counts``: a dict shared by the calls for the
    same ``token_lists`` and ``split``, so that the models (and the refit) share the term counts
    they have in common."""
    method, grid = LINEAR[name]
    started = time.perf_counter()
    rows = np.concatenate([split.train, split.validation])
    features = _features(method, token_lists, split, tokenizer, counts)
    train_rows, val_rows = np.arange(len(split.train)), np.arange(len(split.train), len(rows))
    y_train, y_val = y[split.train], y[split.validation]

    def tried(c: float):
        model = TfidfModel.fit_features(features, y_train, classes, method, c, rows=train_rows)
        scores = np.asarray(features.matrix[val_rows] @ model.coef.T + model.intercept)
        factor = fit_temperature(scores, y_val)
        probabilities = softmax(scores * factor)
        key = (accuracy(probabilities, y_val), -log_loss(probabilities, y_val) if len(y_val) else 0.0)
        return key, model.scaled(factor), c, factor, probabilities

    best = None
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        results = list(_pool().map(tried, grid)) if len(grid) > 1 else [tried(grid[0])]
    for result in results:   # in the grid's order: a tie keeps the first
        if best is None or result[0] > best[0]:
            best = result
    assert best is not None
    _, model, c, factor, probabilities = best
    return LinearFit(name, model, c, factor, probabilities, time.perf_counter() - started)


def _features(method: str, token_lists, split: Split, tokenizer: str, counts: dict | None):
    """The features of the training and validation rows (in that order) for ``method``."""
    rows = np.concatenate([split.train, split.validation])
    return vectorize([token_lists[i] for i in rows], analyzer_for(tokenizer, method),
                     "binary" if method == "nblr" else "tfidf", counts)


def refitted(fit: LinearFit, token_lists, y, split: Split, classes: int, tokenizer: str,
             counts: dict | None = None) -> LinearFit:
    """``fit`` with ``full``: its model fitted again on the training and validation parts with the
    C and temperature chosen on validation (when :data:`REFIT` and there is a validation part;
    else ``fit`` as it is). Only the model a run keeps, or blends, is refitted: the others are
    measured as fitted on the training part (ag_news: two refits of ~1–2 s each saved).
    ``counts`` as for :func:`fit_linear` (the same dict: the terms are not counted again)."""
    if not REFIT or not len(split.validation):
        return fit
    started = time.perf_counter()
    method = LINEAR[fit.name][0]
    rows = np.concatenate([split.train, split.validation])
    features = _features(method, token_lists, split, tokenizer, counts)
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        full = TfidfModel.fit_features(features, y[rows], classes, method, fit.c).scaled(fit.factor)
    return replace(fit, full=full, seconds=fit.seconds + time.perf_counter() - started)


def fit_all(token_lists, y, split: Split, classes: int, tokenizer: str, counts: dict | None = None) -> dict:
    """:func:`fit_linear` for each linear candidate, sharing their term counts: ``{name: LinearFit}``."""
    counts = {} if counts is None else counts
    return {name: fit_linear(name, token_lists, y, split, classes, tokenizer, counts) for name in LINEAR}


def kept(fit: LinearFit) -> tuple[TfidfModel, float]:
    """The model to keep of ``fit`` and the seconds all its fits took: fitted on the training and
    validation parts when there was a validation part (:data:`REFIT`), else on the training part."""
    return (fit.full if fit.full is not None else fit.model), fit.seconds


def linear_settings(model: TfidfModel, c: float | None = None) -> dict:
    """``settings["model"]`` of a linear bundle (and a blend's ``settings["blend"]`` part)."""
    return {"kind": "tfidf", "features": len(model.terms), "analyzer": model.analyzer, "method": model.method,
            **({"c": c} if c is not None else {})}
