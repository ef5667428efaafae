"""TF-IDF + logistic regression as a model of its own, stored as plain arrays (no pickle).

scikit-learn fits it; what is kept is what prediction needs: the terms (tokens and token
pairs), their inverse document frequencies and the regression's weights. Prediction then is
a few lines of numpy/scipy that give scikit-learn's probabilities exactly, so the model can
live in a bundle (``tfidf.npz`` loaded with ``allow_pickle=False`` + ``vocabulary.json``) and
be evaluated, explained and used like the LSTM.
"""

from __future__ import annotations

import time
import warnings
import zipfile
from pathlib import Path

import numpy as np

MODEL_FILE = "tfidf.npz"
MAX_FEATURES = 300_000
# Inverse regularisation strength. 16 against the former 4, on the full training files
# (bench/run.py's sets): sms_spam 0.9942 vs 0.9884, ag_news 0.8743 vs 0.8671, thucnews_titles
# (character n-grams) 0.8594 vs 0.8527, chnsenticorp_htl 0.8912 vs 0.8880, waimai_10k 0.8973 vs
# 0.8944, online_shopping_10_cats 0.9015 vs 0.9001.
C = 16.0


def with_pairs(tokens) -> list[str]:
    """The features of a text: its tokens and each pair of neighbouring tokens ("a b")."""
    tokens = list(tokens)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def char_grams(tokens) -> list[str]:
    """The features of a Chinese text: its characters and each run of 2 and 3 characters,
    over the tokens written together (``["酒店", "很好"]`` → 酒 店 很 好 酒店 店很 很好 酒店很 店很好).

    Chinese words are a segmenter's guess; character n-grams do not depend on it and keep what
    a rare word shares with others. Test accuracy against tokens and token pairs, trained on
    the full training files: thucnews_titles 0.8594 vs 0.8222, chnsenticorp_htl 0.8912 vs
    0.8847, waimai_10k 0.8973 vs 0.8894, online_shopping_10_cats 0.9015 vs 0.8929.

    Examples
    --------
    >>> char_grams(["很", "好吃"])
    ['很', '好', '吃', '很好', '好吃', '很好吃']
    """
    text = "".join(tokens)
    return list(text) + [text[i:i + 2] for i in range(len(text) - 1)] + [text[i:i + 3] for i in range(len(text) - 2)]


ANALYZERS = {"words": with_pairs, "chars": char_grams}


def analyzer_for(tokenizer: str) -> str:
    """The features TF-IDF uses with a tokenizer: character n-grams for Chinese (``jieba``,
    ``char``), else tokens and token pairs."""
    return "chars" if tokenizer in ("jieba", "char") else "words"


class TfidfModel:
    """TF-IDF (tokens and token pairs, or character n-grams; sublinear term frequency,
    L2-normalised rows) followed by multinomial logistic regression.

    Parameters
    ----------
    terms : list of str
        Feature names, in column order.
    idf : ndarray, shape (terms,)
    coef : ndarray, shape (classes, terms)
    intercept : ndarray, shape (classes,)
    analyzer : {"words", "chars"}
        How a tokenized text becomes terms: :func:`with_pairs` or :func:`char_grams`.
    """

    def __init__(self, terms, idf, coef, intercept, analyzer: str = "words"):
        if analyzer not in ANALYZERS:
            raise ValueError(f"unknown TF-IDF analyzer {analyzer!r}")
        self.analyzer = analyzer
        self._terms_of = ANALYZERS[analyzer]
        self.terms = list(terms)
        self.index = {term: i for i, term in enumerate(self.terms)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)

    @property
    def classes(self) -> int:
        return self.coef.shape[0]

    @classmethod
    def fit(cls, token_lists, y, classes: int, analyzer: str = "words") -> TfidfModel:
        """Fit on tokenized texts and integer labels ``y`` (0 … classes-1)."""
        # lazy: scikit-learn takes ~1 s to load: only fitting and scoring pay for it
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        vectorizer = TfidfVectorizer(analyzer=ANALYZERS[analyzer], sublinear_tf=True, max_features=MAX_FEATURES)
        features = vectorizer.fit_transform(token_lists)
        # saga: the same accuracy as lbfgs on online_shopping_10_cats (0.8936 vs 0.8935) in 12 s
        # instead of 81 s; a capped run that has not fully converged is still a fair model.
        regression = LogisticRegression(C=C, solver="saga", max_iter=200, tol=1e-3, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            regression.fit(features, y)
        terms = [None] * len(vectorizer.vocabulary_)
        for term, column in vectorizer.vocabulary_.items():
            terms[column] = term
        coef, intercept = regression.coef_, regression.intercept_
        present = list(regression.classes_)
        if coef.shape[0] == 1:  # two classes: sigmoid(w·x + b) = softmax([0, w·x + b])
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([[0.0], intercept])
        full_coef = np.zeros((classes, coef.shape[1]))
        full_intercept = np.full(classes, -1e9)  # a class absent from training is never predicted
        for row, label in enumerate(present):
            full_coef[label], full_intercept[label] = coef[row], intercept[row]
        return cls(terms, vectorizer.idf_, full_coef, full_intercept, analyzer)

    def features(self, token_lists):
        """The TF-IDF matrix (sparse, rows L2-normalised) of tokenized texts."""
        # lazy: SciPy loads with scikit-learn (~1 s): only the linear models pay for it
        from scipy.sparse import csr_matrix

        rows, columns, values = [], [], []
        for row, tokens in enumerate(token_lists):
            counts: dict[int, int] = {}
            for term in self._terms_of(tokens):
                column = self.index.get(term)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
            weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[cols]
            weights /= np.linalg.norm(weights)
            rows.extend([row] * len(cols))
            columns.extend(cols.tolist())
            values.extend(weights.tolist())
        return csr_matrix((values, (rows, columns)), shape=(len(token_lists), len(self.terms)))

    def predict_proba(self, token_lists) -> np.ndarray:
        """Class probabilities (n × classes, float32) of tokenized texts."""
        token_lists = list(token_lists)
        if not token_lists:
            return np.zeros((0, self.classes), dtype=np.float32)
        scores = self.features(token_lists) @ self.coef.T + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)

    def save(self, directory) -> None:
        """Write ``tfidf.npz`` (numbers only); the terms go to the bundle's vocabulary."""
        np.savez_compressed(Path(directory) / MODEL_FILE, idf=self.idf, coef=self.coef, intercept=self.intercept,
                            analyzer=np.array(self.analyzer))

    @classmethod
    def load(cls, directory, terms) -> TfidfModel:
        """Read ``tfidf.npz`` without pickle; ``terms`` from the bundle's vocabulary. The arrays'
        headers are checked first (:func:`check_npz`): nothing is allocated for a declared size
        the file does not hold."""
        check_npz(Path(directory) / MODEL_FILE)
        with np.load(Path(directory) / MODEL_FILE, allow_pickle=False) as arrays:
            idf, coef, intercept = arrays["idf"], arrays["coef"], arrays["intercept"]
            # Bundles saved before character n-grams existed used tokens and token pairs.
            analyzer = str(arrays["analyzer"]) if "analyzer" in arrays.files else "words"
        if coef.ndim != 2 or coef.shape[1] != len(terms) or idf.shape != (len(terms),) or intercept.shape != (coef.shape[0],):
            raise ValueError(f"tfidf.npz does not fit its {len(terms)} terms")
        return cls(terms, idf, coef, intercept, analyzer)


MAX_NPZ_RATIO = 50


def check_npz(path, limit: int = 2**31) -> None:
    """Refuse an ``.npz`` whose arrays declare more bytes than their members hold (a 27 KB file
    declaring a 2 GB array would make numpy allocate 2 GB before failing), more than ``limit``,
    or a type other than plain numbers and strings. Only the headers are read.

    Raises
    ------
    ValueError
        Naming the array and what it declares.
    """
    with zipfile.ZipFile(path) as archive:
        if sum(info.file_size for info in archive.infolist()) > limit:
            raise ValueError(f"tfidf.npz unpacks to more than {limit:,} bytes")
        for info in archive.infolist():
            # Deflated arrays of zeros pack a thousandfold; real weights pack about 1-3×.
            if info.file_size > 2**20 and info.file_size > MAX_NPZ_RATIO * max(1, info.compress_size):
                raise ValueError(f"{info.filename} unpacks to {info.file_size:,} bytes from {info.compress_size:,}")
            with archive.open(info) as member:
                version = np.lib.format.read_magic(member)
                reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
                shape, _, dtype = reader(member)
            declared = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if dtype.hasobject or dtype.kind not in "biufU":
                raise ValueError(f"{info.filename} holds {dtype} values, not numbers")
            if declared > info.file_size or declared > limit:
                raise ValueError(f"{info.filename} declares {declared:,} bytes but holds {info.file_size:,}")


def fit_seconds(token_lists, y, classes: int, analyzer: str = "words") -> tuple[TfidfModel, float]:
    """:meth:`TfidfModel.fit` and the seconds it took."""
    started = time.perf_counter()
    model = TfidfModel.fit(token_lists, y, classes, analyzer)
    return model, time.perf_counter() - started
