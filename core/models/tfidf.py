"""The linear models over n-gram features, each a model of its own stored as plain arrays (no pickle).

Three methods share one stored form (:class:`TfidfModel`): terms, their weights per term
(inverse document frequencies, or none for presence features), and per class a weight per term
and an intercept; class probabilities are the softmax of the linear scores:

* ``"lr"`` — TF-IDF + logistic regression (the classic baseline);
* ``"nblr"`` — NB-weighted logistic regression (NBSVM-LR, Wang & Manning 2012): word presence
  features scaled by each class's log-count ratio; the ratio is folded into the weights;
* ``"svm"`` — a linear SVM over TF-IDF of words *and* character n-grams, its scores turned into
  probabilities by a temperature fitted on held-out texts (:func:`fit_temperature`), so that it
  can be blended and thresholded like the others.

scikit-learn fits them; what is kept is what prediction needs, and prediction is a few lines of
numpy/scipy, so the model lives in a bundle (``tfidf.npz`` loaded with ``allow_pickle=False`` +
``vocabulary.json``) and is evaluated, explained and used like the LSTM.
"""

from __future__ import annotations

import warnings
import zipfile
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def subwords(tokens) -> list[str]:
    """Runs of 2 to 5 characters inside each token, its edges marked by spaces (scikit-learn's
    ``char_wb``): what "free", "freee" and "freebie" share.

    Examples
    --------
    >>> subwords(["hi"])
    [' h', 'hi', 'i ', ' hi', 'hi ', ' hi ']
    """
    out: list[str] = []
    for token in tokens:
        padded = f" {token} "
        for n in range(2, 6):
            out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


ANALYZERS = {"words": with_pairs, "chars": char_grams}
# A model's feature blocks: each block has its own terms and (for TF-IDF) its own L2 norm, so
# that thousands of character n-grams do not drown a text's few words.
BLOCKS = {"words": (with_pairs,), "chars": (char_grams,), "words+chars": (with_pairs, char_grams),
          "words+subwords": (with_pairs, subwords)}
# The most terms a block keeps, and how many texts a character n-gram must appear in.
CHAR_FEATURES, CHAR_MIN_DF = 300_000, 2
METHODS = ("lr", "nblr", "svm")
NB_ALPHA = 1.0     # the log-count ratio's smoothing


def analyzer_for(tokenizer: str, method: str = "lr") -> str:
    """The features a method uses with a tokenizer. TF-IDF + LR: character n-grams for Chinese
    (``jieba``, ``char``), else tokens and token pairs; NB-LR: tokens and token pairs; the SVM:
    tokens and pairs plus characters 1–3 (Chinese) or runs of 2–5 characters inside words.

    >>> analyzer_for("jieba"), analyzer_for("jieba", "svm"), analyzer_for("words", "svm")
    ('chars', 'words+chars', 'words+subwords')
    """
    chinese = tokenizer in ("jieba", "char")
    if method == "svm":
        return "words+chars" if chinese else "words+subwords"
    if method == "nblr":
        return "words"
    return "chars" if chinese else "words"


@dataclass
class Features:
    """Tokenized texts as a feature matrix (rows: texts) with what a model needs to make the same
    features again: the terms, their weights, the blocks, the analyzer and the weighting."""

    matrix: Any          # a scipy.sparse CSR matrix
    terms: list
    idf: np.ndarray
    blocks: list
    analyzer: str
    weighting: str


def term_counts(token_lists, terms_of) -> tuple[Any, list[str]]:
    """How often each term that ``terms_of`` (a :data:`BLOCKS` function) makes of a text occurs
    in it: a CSR matrix of counts (rows: texts; int64) and its terms in alphabetical order
    (scikit-learn's order).

    Runs of characters inside words (:func:`subwords`) depend on the token alone, so they are
    made once per distinct token and the texts' counts are the product of the token counts and
    each token's run counts (imdb: 22,500 texts of ~230 tokens hold ~100,000 distinct tokens).
    Chinese character n-grams (:func:`char_grams`) are counted as integers with NumPy. Either
    way the counts are the ones a loop over every text's terms makes (tested).

    >>> counts, terms = term_counts([["b", "a", "b"]], with_pairs)
    >>> terms, counts.toarray().tolist()
    (['a', 'a b', 'b', 'b a'], [[1, 1, 2, 1]])
    >>> counts, terms = term_counts([["hi", "hi"]], subwords)
    >>> dict(zip(terms, counts.toarray()[0].tolist()))["hi"]
    2
    """
    if terms_of is subwords:
        token_counts, tokens = _count(token_lists, list)
        per_token, terms = _count([[token] for token in tokens], subwords)
        return (token_counts @ per_token).tocsr(), terms
    if terms_of is char_grams:
        return _count_char_grams(token_lists)
    return _count(token_lists, terms_of)


def _reordered(matrix, order):
    """``matrix`` (CSR) with its columns in ``order`` (column ``order[j]`` becomes column ``j``)."""
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    matrix = matrix.tocsr()
    matrix.indices = position[matrix.indices].astype(matrix.indices.dtype)
    matrix.has_sorted_indices = False
    matrix.sort_indices()
    return matrix


def _sorted_columns(matrix, terms: list[str]):
    """``matrix`` with its columns in the alphabetical order of ``terms``, and the sorted terms."""
    order = sorted(range(len(terms)), key=terms.__getitem__)
    return _reordered(matrix, order), [terms[i] for i in order]


def _count_char_grams(token_lists) -> tuple[Any, list[str]]:
    """:func:`term_counts` of :func:`char_grams` with NumPy instead of a Python loop over every
    n-gram: each run of 1–3 characters becomes one integer of its code points, the integers are
    counted per text, and only the distinct ones are made strings again (chnsenticorp_htl's
    6,212 reviews: ~2.4 million n-grams)."""
    # lazy: SciPy loads with scikit-learn (~1 s): only the linear models pay for it
    from scipy.sparse import csr_matrix

    texts = ["".join(tokens) for tokens in token_lists]
    try:
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64) + 1
    except UnicodeEncodeError:   # a lone surrogate: count as every other analyzer does
        return _count(token_lists, char_grams)
    base = 0x110001              # code points + 1 lie in 1 … 0x110000: a 3-gram is below base³ < 2⁶³
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    text_of = np.repeat(np.arange(len(texts)), lengths)
    left = lengths[text_of] - (np.arange(len(codes)) - np.repeat(np.cumsum(lengths) - lengths, lengths))
    keys, rows = [], []
    for n in (1, 2, 3):
        at = np.flatnonzero(left >= n)    # an n-gram starts here
        key = codes[at]
        for k in range(1, n):
            key = key * base + codes[at + k]
        keys.append(key)
        rows.append(text_of[at])
    unique, column = np.unique(np.concatenate(keys), return_inverse=True)
    # Each distinct n-gram's code points (+ 1), absent ones 0: ordered by (first, second, third),
    # that is the alphabetical order of the strings (a string before its longer continuations).
    length = np.where(unique < base, 1, np.where(unique < base * base, 2, 3))
    digits = np.zeros((len(unique), 3), dtype=np.int64)
    rest = unique.copy()
    for k in (2, 1, 0):
        has = length > k
        digits[has, k] = rest[has] % base
        rest[has] //= base
    order = np.lexsort((digits[:, 2], digits[:, 1], digits[:, 0]))
    matrix = _reordered(csr_matrix((np.ones(len(column), dtype=np.int64), (np.concatenate(rows), column.ravel())),
                                   shape=(len(texts), len(unique))), order)
    # The strings, in that order: each n-gram as 3 UTF-32 code units (padded after it), cut to its length.
    padded = np.maximum(digits[order] - 1, 0).astype("<u4")
    flat = padded.tobytes().decode("utf-32-le", errors="surrogatepass")
    return matrix, [flat[3 * i:3 * i + n] for i, n in enumerate(length[order].tolist())]


def _count(token_lists, terms_of) -> tuple[Any, list[str]]:
    """:func:`term_counts`, one text after the other."""
    # lazy: SciPy loads with scikit-learn (~1 s): only the linear models pay for it
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    indices, values, indptr = array("q"), array("q"), [0]
    for doc in token_lists:
        counter: dict[int, int] = {}
        for term in terms_of(doc):
            column = vocabulary.setdefault(term, len(vocabulary))
            counter[column] = counter.get(column, 0) + 1
        indices.extend(counter)
        values.extend(counter.values())
        indptr.append(len(indices))
    terms = sorted(vocabulary, key=vocabulary.__getitem__)
    matrix = csr_matrix((np.frombuffer(values, dtype=np.int64), np.frombuffer(indices, dtype=np.int64),
                         np.asarray(indptr, dtype=np.int64)), shape=(len(indptr) - 1, len(terms)))
    return _sorted_columns(matrix, terms)


def _kept_terms(counts, limit: int, min_df: int, binary: bool):
    """The columns of ``counts`` a block keeps, as scikit-learn's vectorisers choose them: terms
    in at least ``min_df`` texts; of those, at most ``limit``, the most frequent (in texts for
    presence features, in occurrences otherwise)."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    keep = np.flatnonzero(df >= min_df)
    if len(keep) > limit:
        frequency = df if binary else np.asarray(counts.sum(axis=0)).ravel()
        keep = np.sort(keep[(-frequency[keep]).argsort()[:limit]])   # scikit-learn's sort: the same ties kept
    return keep


def vectorize(token_lists, analyzer: str = "words", weighting: str = "tfidf", counts: dict | None = None) -> Features:
    """Learn the terms of ``token_lists`` (:data:`BLOCKS` of ``analyzer``; per block at most
    :data:`MAX_FEATURES` words or :data:`CHAR_FEATURES` character n-grams seen in at least
    :data:`CHAR_MIN_DF` texts) and return their matrix: TF-IDF (sublinear, smoothed idf, L2 per
    block — scikit-learn's ``TfidfVectorizer``) or presence (``"binary"``).

    Making the terms is most of a linear model's cost, so it is done once per model, not once per
    value of C; ``counts``, a dict kept by the caller for these same ``token_lists``, also shares
    each block's :func:`term_counts` between models (TF-IDF + LR, NB-LR and the SVM all use the
    tokens and token pairs)."""
    # lazy: scikit-learn takes ~1 s to load: only fitting and scoring pay for it
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfTransformer

    token_lists = list(token_lists)
    counts = {} if counts is None else counts
    parts: list = []
    terms: list[str] = []
    idf: list = []
    blocks: list[int] = []
    for number, terms_of in enumerate(BLOCKS[analyzer]):
        limit, min_df = (MAX_FEATURES, 1) if number == 0 else (CHAR_FEATURES, CHAR_MIN_DF)
        if min_df > 1 and len(token_lists) < 50:
            min_df = 1   # a handful of texts: every n-gram counts
        if terms_of not in counts:
            counts[terms_of] = term_counts(token_lists, terms_of)
        block, block_terms = counts[terms_of]
        keep = _kept_terms(block, limit, min_df, weighting == "binary")
        block = block[:, keep].astype(np.float64)
        if weighting == "binary":
            block.data[:] = 1.0
            idf.append(np.ones(len(keep)))
        else:
            transformer = TfidfTransformer(sublinear_tf=True)
            block = transformer.fit_transform(block)
            idf.append(transformer.idf_)
        parts.append(block)
        terms.extend(block_terms[i] for i in keep)
        blocks.append(len(keep))
    matrix = (hstack(parts) if len(parts) > 1 else parts[0]).tocsr().astype(np.float64)
    return Features(matrix, terms, np.concatenate(idf), blocks, analyzer, weighting)


class TfidfModel:
    """A linear model over n-gram features (one of :data:`METHODS`), stored as arrays.

    Parameters
    ----------
    terms : list of str
        Feature names, in column order (block after block; a term may recur in two blocks).
    idf : ndarray, shape (terms,)
        Each term's weight (inverse document frequency; ones for presence features).
    coef : ndarray, shape (classes, terms)
    intercept : ndarray, shape (classes,)
    analyzer : one of :data:`BLOCKS`
        How a tokenized text becomes terms.
    weighting : {"tfidf", "binary"}
        ``tfidf``: sublinear term frequency × idf, L2-normalised per block; ``binary``: 1 for
        each term present.
    blocks : sequence of int, optional
        Terms per block (all in one block when omitted).
    method : one of :data:`METHODS`
        How it was fitted (what the pages and the model card call it).
    """

    def __init__(self, terms, idf, coef, intercept, analyzer: str = "words", weighting: str = "tfidf",
                 blocks=None, method: str = "lr"):
        if analyzer not in BLOCKS:
            raise ValueError(f"unknown TF-IDF analyzer {analyzer!r}")
        if weighting not in ("tfidf", "binary") or method not in METHODS:
            raise ValueError(f"unknown weighting {weighting!r} or method {method!r}")
        self.analyzer, self.weighting, self.method = analyzer, weighting, method
        self.terms = list(terms)
        sizes = [int(size) for size in (blocks if blocks is not None else [len(self.terms)])]
        if len(sizes) != len(BLOCKS[analyzer]) or sum(sizes) != len(self.terms) or min(sizes) < 0:
            raise ValueError(f"the {len(self.terms)} terms do not split into the blocks {sizes}")
        self.blocks = sizes
        starts = np.cumsum([0] + sizes)
        self._indexes = [{term: int(starts[b]) + i for i, term in enumerate(self.terms[starts[b]:starts[b + 1]])}
                         for b in range(len(sizes))]
        self.idf = np.asarray(idf, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)

    @property
    def classes(self) -> int:
        return self.coef.shape[0]

    @property
    def index(self) -> dict:
        """Term → column of the first block (the words, or the characters of ``"chars"``)."""
        return self._indexes[0]

    @classmethod
    def fit(cls, token_lists, y, classes: int, analyzer: str = "words", method: str = "lr", c: float = C) -> TfidfModel:
        """Fit on tokenized texts and integer labels ``y`` (0 … classes-1) with ``method``
        (:data:`METHODS`) and inverse regularisation ``c``. An SVM's probabilities are a plain
        softmax of its scores until :meth:`scaled` by a fitted temperature."""
        return cls.fit_features(vectorize(token_lists, analyzer, "binary" if method == "nblr" else "tfidf"),
                                y, classes, method, c)

    @classmethod
    def fit_features(cls, features: Features, y, classes: int, method: str = "lr", c: float = C,
                     rows=None) -> TfidfModel:
        """Fit on ``features`` (:func:`vectorize`; only ``rows`` of it when given) and their labels
        ``y``: one vectorised matrix serves several values of ``c`` and the final fit."""
        # lazy: scikit-learn takes ~1 s to load: only fitting and scoring pay for it
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import LinearSVC

        matrix = features.matrix if rows is None else features.matrix[rows]
        y = np.asarray(y)
        present = list(np.unique(y))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            if method == "lr":
                # saga: the same accuracy as lbfgs on online_shopping_10_cats (0.8936 vs 0.8935) in 12 s
                # instead of 81 s; a capped run that has not fully converged is still a fair model.
                regression = LogisticRegression(C=c, solver="saga", max_iter=200, tol=1e-3, random_state=0)
                regression.fit(matrix, y)
                coef, intercept = regression.coef_, regression.intercept_
            elif method == "svm":
                svm = LinearSVC(C=c, max_iter=5000, random_state=0).fit(matrix, y)
                coef, intercept = svm.coef_, svm.intercept_
            else:
                coef, intercept = _nb_logistic(matrix, y, present, c)
        if coef.shape[0] == 1:  # two classes: sigmoid(w·x + b) = softmax([0, w·x + b])
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([[0.0], intercept])
        full_coef = np.zeros((classes, coef.shape[1]))
        full_intercept = np.full(classes, -1e9)  # a class absent from training is never predicted
        for row, label in enumerate(present):
            full_coef[label], full_intercept[label] = coef[row], intercept[row]
        return cls(features.terms, features.idf, full_coef, full_intercept, features.analyzer, features.weighting,
                   features.blocks, method)

    def scaled(self, factor: float) -> TfidfModel:
        """The same model with its scores multiplied by ``factor`` (a temperature's inverse):
        the same answers, sharper or softer probabilities."""
        scale = np.where(self.intercept <= -1e8, 1.0, factor)   # an absent class stays absent
        return TfidfModel(self.terms, self.idf, self.coef * factor, self.intercept * scale, self.analyzer,
                          self.weighting, self.blocks, self.method)

    def features(self, token_lists):
        """The feature matrix (sparse) of tokenized texts: TF-IDF rows L2-normalised per block,
        or 1 for each term present."""
        # lazy: SciPy loads with scikit-learn (~1 s): only the linear models pay for it
        from scipy.sparse import csr_matrix

        rows, columns, values = [], [], []
        for row, tokens in enumerate(token_lists):
            for terms_of, index in zip(BLOCKS[self.analyzer], self._indexes):
                counts: dict[int, int] = {}
                for term in terms_of(tokens):
                    column = index.get(term)
                    if column is not None:
                        counts[column] = counts.get(column, 0) + 1
                if not counts:
                    continue
                cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
                if self.weighting == "binary":
                    weights = np.ones(len(cols))
                else:
                    weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) \
                        * self.idf[cols]
                    weights /= np.linalg.norm(weights)
                rows.extend([row] * len(cols))
                columns.extend(cols.tolist())
                values.extend(weights.tolist())
        return csr_matrix((values, (rows, columns)), shape=(len(token_lists), len(self.terms)))

    def scores(self, token_lists) -> np.ndarray:
        """The linear scores (n × classes) whose softmax is :meth:`predict_proba`."""
        return np.asarray(self.features(list(token_lists)) @ self.coef.T + self.intercept)

    def predict_proba(self, token_lists) -> np.ndarray:
        """Class probabilities (n × classes, float32) of tokenized texts."""
        token_lists = list(token_lists)
        if not token_lists:
            return np.zeros((0, self.classes), dtype=np.float32)
        return softmax(self.scores(token_lists)).astype(np.float32)

    def save(self, directory) -> None:
        """Write ``tfidf.npz`` (numbers only); the terms go to the bundle's vocabulary."""
        np.savez_compressed(Path(directory) / MODEL_FILE, idf=self.idf, coef=self.coef, intercept=self.intercept,
                            analyzer=np.array(self.analyzer), weighting=np.array(self.weighting),
                            blocks=np.array(self.blocks, dtype=np.int64), method=np.array(self.method))

    @classmethod
    def load(cls, directory, terms) -> TfidfModel:
        """Read ``tfidf.npz`` without pickle; ``terms`` from the bundle's vocabulary. The arrays'
        headers are checked first (:func:`check_npz`): nothing is allocated for a declared size
        the file does not hold."""
        check_npz(Path(directory) / MODEL_FILE)
        with np.load(Path(directory) / MODEL_FILE, allow_pickle=False) as arrays:
            idf, coef, intercept = arrays["idf"], arrays["coef"], arrays["intercept"]
            # Bundles saved before character n-grams existed used tokens and token pairs; before
            # NB-LR and the SVM, every model was TF-IDF + LR in one block.
            analyzer = str(arrays["analyzer"]) if "analyzer" in arrays.files else "words"
            weighting = str(arrays["weighting"]) if "weighting" in arrays.files else "tfidf"
            blocks = arrays["blocks"].tolist() if "blocks" in arrays.files else None
            method = str(arrays["method"]) if "method" in arrays.files else "lr"
        if coef.ndim != 2 or coef.shape[1] != len(terms) or idf.shape != (len(terms),) or intercept.shape != (coef.shape[0],):
            raise ValueError(f"tfidf.npz does not fit its {len(terms)} terms")
        return cls(terms, idf, coef, intercept, analyzer, weighting, blocks, method)


FEATURE_WORDS = {"words": "tokens and token pairs", "chars": "characters and runs of 2–3 characters",
                 "words+chars": "words, word pairs, characters and runs of 2–3 characters",
                 "words+subwords": "tokens, token pairs and runs of 2–5 characters inside words"}


def describe(model: TfidfModel) -> str:
    """What the model is, in English (the model card, a baseline's name).

    >>> describe(TfidfModel(["a"], [1.0], [[0.0], [1.0]], [0.0, 0.0], method="svm"))
    'linear SVM on TF-IDF of tokens and token pairs, probabilities calibrated on validation'
    """
    features = FEATURE_WORDS[model.analyzer]
    if model.method == "nblr":
        return f"NB-weighted logistic regression on the presence of {features}"
    if model.method == "svm":
        return f"linear SVM on TF-IDF of {features}, probabilities calibrated on validation"
    return f"TF-IDF ({features}) + logistic regression"


def softmax(scores) -> np.ndarray:
    """Row-wise softmax of linear scores."""
    scores = np.asarray(scores, dtype=np.float64)
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)


def _nb_logistic(features, y, present, c: float):
    """NBSVM-LR's weights: per class (one for two classes) a logistic regression on the presence
    features scaled by the class's log-count ratio r, its weights times r (so the model needs
    no r at prediction)."""
    # lazy: scikit-learn takes ~1 s to load: only fitting and scoring pay for it
    from sklearn.linear_model import LogisticRegression

    rows, intercepts = [], []
    for label in (present[1:] if len(present) == 2 else present):
        positive = y == label
        p = np.asarray(features[positive].sum(axis=0)).ravel() + NB_ALPHA
        q = np.asarray(features[~positive].sum(axis=0)).ravel() + NB_ALPHA
        ratio = np.log((p / p.sum()) / (q / q.sum()))
        model = LogisticRegression(C=c, solver="liblinear", max_iter=1000).fit(features.multiply(ratio).tocsr(), positive)
        rows.append(model.coef_[0] * ratio)
        intercepts.append(model.intercept_[0])
    return np.vstack(rows), np.array(intercepts)


def fit_temperature(scores, y) -> float:
    """The factor for :meth:`TfidfModel.scaled` that gives the lowest log-loss on held-out
    texts' ``scores`` and labels ``y`` (a grid from 0.1 to 100; 1 when there are none): an SVM's
    margins become probabilities that can be blended and thresholded. As in Platt scaling, the
    targets are smoothed by 1/(n + 2): a validation part the model gets all right would otherwise
    drive the factor to the grid's end and every answer to 100 %.

    >>> scores = np.array([[0.0, 2.0], [0.0, -2.0], [0.0, 1.0], [0.0, -0.5]])
    >>> fit_temperature(scores, np.array([1, 0, 1, 0])) > 1
    True
    """
    y = np.asarray(y)
    if not len(y):
        return 1.0
    scores = np.asarray(scores, dtype=np.float64)
    smoothing = 1.0 / (len(y) + 2)
    targets = np.full(scores.shape, smoothing / scores.shape[1])
    targets[np.arange(len(y)), y] += 1.0 - smoothing
    grid = np.logspace(-1, 2, 61)
    losses = [-np.mean(np.sum(targets * np.log(np.clip(softmax(scores * factor), 1e-12, 1.0)), axis=1)) for factor in grid]
    return float(grid[int(np.argmin(losses))])


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
