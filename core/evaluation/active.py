"""Active learning (the Label page): the unlabelled texts the current quick model is least sure
of (smallest margin between its two most probable classes), near duplicates spread out; from no
labels at all, one text from each cluster of the pool. The quick model's accuracy on labelled rows
kept aside draws the page's curve."""

from __future__ import annotations

import time
from collections import Counter

import numpy as np

from core.data.dataset import stratified_sample
from core.evaluation.quick import _fit, _quick_predict, _tokens, _vectorizer
from core.text import PreprocessConfig

NEAR_DUPLICATE = 0.8     # cosine similarity of TF-IDF rows above which two texts count as near duplicates

SAME_WORDS = 0.75        # ... or the share of words they share (Jaccard; punctuation, numbers and case ignored)

class Pool:
    """Unlabelled texts to propose for labelling. Their TF-IDF rows are computed once (the
    seconds go here), so each proposal only fits the quick model on the labelled rows and scores
    the pool: well under 3 s for 50,000 texts on 2 cores.

    Parameters
    ----------
    texts : list of str
        The pool.
    preprocess : PreprocessConfig, optional
        Cleaning and tokenizer (the app's default when omitted).
    """

    def __init__(self, texts, preprocess: PreprocessConfig | None = None):
        started = time.perf_counter()
        self.texts = [str(text) for text in texts]
        self.preprocess = preprocess or PreprocessConfig()
        token_lists, analyzer = _tokens(self.texts, self.preprocess)
        self.words = [frozenset(token.lower() for token in tokens if any(char.isalpha() for char in token))
                      for tokens in token_lists]
        self.vectorizer = _vectorizer(analyzer)
        self.features = self.vectorizer.fit_transform(token_lists)
        self.seconds = time.perf_counter() - started

    def propose(self, labelled: dict[int, str], n: int = 20, extra_texts=(), extra_labels=(), seed: int = 0,
                exclude=()) -> list[int]:
        """Pool rows to label next (never one in ``labelled``, the pool rows already labelled
        by their row → label, nor one in ``exclude``, nor one whose text is among ``extra_texts``). With two or more classes labelled (counting ``extra_texts`` /
        ``extra_labels``, e.g. the labelled file): the rows the quick model is least sure of,
        skipping near duplicates of a row already picked. Otherwise: one row from each of
        ``n`` clusters of the pool (the one nearest its centre), so the first picks cover it.
        """
        known, exclude = set(extra_texts), set(exclude)
        open_rows = np.array([row for row, text in enumerate(self.texts)
                              if row not in labelled and row not in exclude and text not in known], dtype=np.int64)
        if not len(open_rows):
            return []
        n = min(n, len(open_rows))
        rows = list(labelled)
        labels = [labelled[row] for row in rows] + list(extra_labels)
        if len(set(labels)) < 2:
            return self._spread(open_rows, n, seed)
        names = sorted(set(labels))
        y = np.array([names.index(label) for label in labels])
        features = self.features[rows]
        if len(extra_texts):
            # lazy: SciPy loads with scikit-learn (~1 s): only the linear models pay for it
            from scipy.sparse import vstack

            extra_tokens, _ = _tokens(extra_texts, self.preprocess)
            features = vstack([features, self.vectorizer.transform(extra_tokens)]) if rows else \
                self.vectorizer.transform(extra_tokens)
        model = _fit(features, y)
        probabilities = model.predict_proba(self.features[open_rows])
        top = np.sort(probabilities, axis=1)[:, ::-1]
        margin = top[:, 0] - (top[:, 1] if top.shape[1] > 1 else 0)
        order = open_rows[np.argsort(margin, kind="stable")]
        return self._distinct(order, n)

    def near_duplicates(self, row: int, others) -> bool:
        """Whether pool row ``row`` is a near duplicate of any of ``others``: TF-IDF cosine over
        :data:`NEAR_DUPLICATE`, or :data:`SAME_WORDS` of their words shared (the same message
        with other punctuation, case or numbers)."""
        others = list(others)
        if not others:
            return False
        if (self.features[others] @ self.features[row].T).toarray().max() > NEAR_DUPLICATE:
            return True
        words = self.words[row]
        return any(len(words & self.words[other]) >= SAME_WORDS * max(1, len(words | self.words[other]))
                   for other in others)

    def _distinct(self, ordered_rows, n: int) -> list[int]:
        """The first ``n`` of ``ordered_rows`` that are not near duplicates of one already picked."""
        picked: list[int] = []
        for row in ordered_rows:
            if self.near_duplicates(int(row), picked):
                continue
            picked.append(int(row))
            if len(picked) == n:
                break
        return picked

    def _spread(self, open_rows, n: int, seed: int) -> list[int]:
        """One row per cluster (k-means on the TF-IDF rows, ``n`` clusters), nearest its centre."""
        # lazy: scikit-learn takes ~1 s to load: only fitting and scoring pay for it
        from sklearn.cluster import MiniBatchKMeans

        sample = open_rows
        if len(sample) > 20_000:   # the centres from a sample; every open row can still be picked
            sample = np.random.default_rng(seed).choice(open_rows, 20_000, replace=False)
        kmeans = MiniBatchKMeans(n_clusters=n, random_state=seed, n_init=3, batch_size=2048).fit(self.features[sample])
        distances = kmeans.transform(self.features[open_rows])
        picked: list[int] = []
        for cluster in range(n):
            for position in np.argsort(distances[:, cluster]):
                row = int(open_rows[position])
                if row not in picked:
                    picked.append(row)
                    break
        return self._distinct(picked + [int(row) for row in open_rows if row not in picked], n)

HOLDOUT_SHARE = 0.2

def holdout_rows(labels, share: float = HOLDOUT_SHARE, seed: int = 0) -> np.ndarray:
    """The labelled rows kept aside to score the quick model while labelling (stratified,
    seeded; none when a class has fewer than 2 rows)."""


    if len(labels) < 10 or min(Counter(labels).values()) < 2:
        return np.array([], dtype=np.int64)
    return stratified_sample(np.asarray(labels, dtype=object), max(2, round(share * len(labels))), seed)

def quick_score(texts, labels, held_out, added=(), preprocess: PreprocessConfig | None = None) -> float | None:
    """Accuracy on the ``held_out`` rows of a quick model trained on the other rows of
    ``texts``/``labels`` plus the ``added`` ``(text, label)`` pairs; ``None`` without held-out
    rows or with fewer than two classes to learn from."""
    held = set(int(row) for row in held_out)
    if not held:
        return None
    train = [(text, label) for row, (text, label) in enumerate(zip(texts, labels)) if row not in held] + list(added)
    if len({label for _, label in train}) < 2:
        return None
    train_tokens, analyzer = _tokens([text for text, _ in train], preprocess)
    test_tokens, _ = _tokens([texts[row] for row in sorted(held)], preprocess)
    names = sorted({label for _, label in train} | {labels[row] for row in held})
    predicted = _quick_predict(train_tokens, np.array([names.index(label) for _, label in train]), test_tokens, analyzer)
    return float(np.mean(predicted == np.array([names.index(labels[row]) for row in sorted(held)])))
