"""Better data, fewer labels (issue 19): labels that look wrong, the texts worth labelling next,
and whether more data will help.

All three use a *quick model*: TF-IDF (the app's features, :mod:`core.models.tfidf`) + logistic
regression, seconds on the CPU, so a person can act on the answer at once.

* :func:`label_issues` — out-of-fold probabilities of the quick model (each text scored by a
  model that never saw it) handed to cleanlab's confident-learning label-issue finder
  (``cleanlab.filter.find_label_issues``): the rows whose given label is probably wrong, with
  the label the data suggests and how sure it is.
* :class:`Pool` and :meth:`Pool.propose` — active learning: the unlabelled texts the current
  quick model is least sure of (smallest margin between its two most probable classes), near
  duplicates spread out; from no labels at all, one text from each cluster of the pool.
* :func:`learning_curve` — test accuracy at 10, 20, 40, 70 and 100 % of the training rows, and
  a reading in plain words (:func:`read_curve`).

cleanlab is AGPL-3.0 licensed (its source is public; a server that runs this app offers it
unchanged, as installed from PyPI).
"""

from __future__ import annotations

import time
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np

from core.base.errors import UserError
from core.models.tfidf import ANALYZERS, analyzer_for
from core.text import PreprocessConfig, tokenize

QUICK_C = 4.0            # the quick model's inverse regularisation (scores, not the best accuracy, matter here)
QUICK_FEATURES = 100_000
FOLDS = 5
SHARES = (0.1, 0.2, 0.4, 0.7, 1.0)
NEAR_DUPLICATE = 0.8     # cosine similarity of TF-IDF rows above which two texts count as near duplicates
SAME_WORDS = 0.75        # ... or the share of words they share (Jaccard; punctuation, numbers and case ignored)


def _vectorizer(analyzer: str):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=ANALYZERS[analyzer], sublinear_tf=True, max_features=QUICK_FEATURES)


def _regression():
    from sklearn.linear_model import LogisticRegression

    # Balanced class weights: a text of a small class filed under a large one still stands out
    # (sms_spam, 5 % of labels flipped: 88.8 % of the 125 most suspicious rows are flipped ones, 87.2 % without).
    return LogisticRegression(C=QUICK_C, solver="saga", max_iter=100, tol=1e-3, random_state=0,
                              class_weight="balanced")


def _fit(features, y):
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


def _confident_learning(y, probabilities) -> list[tuple[int, int]]:
    """``(position, suggested class)`` of the rows cleanlab's ``find_label_issues`` ranks as
    label issues (most suspicious first), leaving out any whose most probable class is its own."""
    from cleanlab.filter import find_label_issues

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ranked = find_label_issues(y, probabilities, return_indices_ranked_by="self_confidence", n_jobs=1)
    suggested = np.argmax(probabilities, axis=1)
    return [(int(row), int(suggested[row])) for row in ranked if suggested[row] != y[row]]


def _tokens(texts, preprocess: PreprocessConfig | None):
    preprocess = preprocess or PreprocessConfig()
    return [tokenize(text, preprocess) for text in texts], analyzer_for(preprocess.tokenizer)


def out_of_fold(token_lists, y, classes: int, analyzer: str = "words", folds: int = FOLDS, seed: int = 0) -> np.ndarray:
    """Each row's class probabilities from a quick model trained on the other folds
    (stratified, seeded). The TF-IDF weights are learned once from all texts (no labels)."""
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


@dataclass
class LabelIssue:
    """A row whose given label looks wrong. ``row``: its 0-based position among the rows given;
    ``confidence``: the quick model's probability of ``suggested``."""

    row: int
    text: str
    given: str
    suggested: str
    confidence: float

    def to_dict(self) -> dict:
        return {"row": self.row, "text": self.text, "given": self.given, "suggested": self.suggested,
                "confidence": round(self.confidence, 4)}


def label_scores(texts, labels, preprocess: PreprocessConfig | None = None, seed: int = 0):
    """``(label_names, y, out-of-fold probabilities, quality)``: cleanlab's label quality score
    of every row (self-confidence: the probability of its given label; low = suspicious)."""
    from cleanlab.rank import get_label_quality_scores

    names = sorted(set(labels))
    if len(names) < 2:
        raise UserError("err.only_one_class", label=names[0] if names else "", column="label")
    if max(Counter(labels).values()) < 2:   # no class to hold a row out of: nothing to check against
        raise UserError("err.label_check_too_few", n=len(labels))
    index = {name: i for i, name in enumerate(names)}
    y = np.array([index[label] for label in labels])
    token_lists, analyzer = _tokens(texts, preprocess)
    probabilities = out_of_fold(token_lists, y, len(names), analyzer, seed=seed)
    quality = get_label_quality_scores(y, probabilities, method="self_confidence")
    return names, y, probabilities, quality


def label_issues(texts, labels, preprocess: PreprocessConfig | None = None, seed: int = 0,
                 limit: int | None = None) -> list[LabelIssue]:
    """Rows whose given label is probably wrong, most suspicious first: cleanlab's confident
    learning (``find_label_issues``, pruning by the estimated noise rate of each class pair)
    on out-of-fold probabilities of the quick model. Seconds for 10,000 rows.

    Examples
    --------
    >>> spam = ["win a free prize now", "free cash prize call now", "claim your free reward", "you won a prize call"]
    >>> ham = ["see you at lunch", "dinner at eight tonight", "are you home yet", "lunch tomorrow at noon"]
    >>> texts = spam * 10 + ham * 10 + ["claim your free prize now", "see you at dinner tonight"]
    >>> labels = ["spam"] * 40 + ["ham"] * 40 + ["ham", "ham"]
    >>> [(issue.row, issue.given, issue.suggested) for issue in label_issues(texts, labels)]
    [(80, 'ham', 'spam')]
    """
    names, y, probabilities, _ = label_scores(texts, labels, preprocess, seed)
    return [LabelIssue(row, str(texts[row]), names[y[row]], names[suggested], float(probabilities[row, suggested]))
            for row, suggested in _confident_learning(y, probabilities)][:limit]


# -- learning curve ----------------------------------------------------------------------------------


def learning_curve(train_texts, train_labels, test_texts, test_labels, preprocess: PreprocessConfig | None = None,
                   shares=SHARES, seed: int = 0, network=None, progress=None) -> dict:
    """Test accuracy of a model trained on growing, stratified, seeded shares of the training
    rows: ``{"points": [[share, accuracy], ...], "rows": [n, ...], "reading": .., "reading_key":
    .., "params": {..}, "model": "quick" | "network"}`` (see :func:`read_curve`).

    The quick model (seconds) by default; ``network=(ModelConfig, TrainConfig)`` trains the
    network with those settings at each share instead (minutes: five trainings), its test
    texts scored as the app scores them. ``progress(done, total)`` after each share.
    """
    from core.data.dataset import stratified_sample

    if not len(test_texts):
        raise UserError("err.curve_no_test")
    if not set(train_labels) & set(test_labels):
        raise UserError("err.curve_other_classes", train=", ".join(sorted(set(train_labels))[:5]),
                        test=", ".join(sorted(set(test_labels))[:5]))
    names = sorted(set(train_labels) | set(test_labels))
    index = {name: i for i, name in enumerate(names)}
    y = np.array([index[label] for label in train_labels])
    y_test = np.array([index[label] for label in test_labels])
    if network is None:
        token_lists, analyzer = _tokens(train_texts, preprocess)
        test_tokens, _ = _tokens(test_texts, preprocess)
    points, sizes = [], []
    for done, share in enumerate(shares, start=1):
        rows = stratified_sample(np.asarray(train_labels, dtype=object), max(len(names), round(share * len(y))), seed)
        if len(set(y[rows])) < 2:
            continue
        if network is None:
            accuracy = float(np.mean(_quick_predict([token_lists[i] for i in rows], y[rows], test_tokens, analyzer)
                                     == y_test))
        else:
            accuracy = _network_accuracy([train_texts[i] for i in rows], [train_labels[i] for i in rows],
                                         test_texts, test_labels, preprocess, *network)
        points.append([float(share), round(accuracy, 4)])
        sizes.append(int(len(rows)))
        if progress is not None:
            progress(done, len(shares))
    key, params = read_curve(points, sizes, len(names))
    from core.base.i18n import translate

    return {"points": points, "rows": sizes, "reading_key": key, "params": params,
            "reading": translate(key, "en", **params), "model": "quick" if network is None else "network"}


def _network_accuracy(texts, labels, test_texts, test_labels, preprocess, model_config, train_config) -> float:
    """Test accuracy of the network trained on ``texts`` (its own validation part, no test split)."""
    from dataclasses import replace

    from core.data.dataset import DataSet
    from core.training.train import train

    config = replace(train_config, test_share=0.0, baseline=False, checkpoint=False)
    result = train(DataSet(list(texts), list(labels), "text", "label"), preprocess or PreprocessConfig(), model_config,
                   config)
    return float(np.mean(np.array(result.bundle.predict(test_texts)) == np.array(test_labels)))


def read_curve(points, sizes, classes: int) -> tuple[str, dict]:
    """The curve in plain words: still rising (the gain of the last doubling of the data, or
    its rate, carried to one more doubling) or flat (under half a point from the last 30 % of
    rows and under a point from the last 60 %).

    Examples
    --------
    >>> read_curve([[0.1, 0.70], [0.2, 0.76], [0.4, 0.81], [0.7, 0.84], [1.0, 0.86]], [100, 200, 400, 700, 1000], 2)
    ('curve.rising', {'n': '500', 'points': '3.8'})
    >>> read_curve([[0.1, 0.90], [0.2, 0.91], [0.4, 0.915], [0.7, 0.917], [1.0, 0.918]], [100, 200, 400, 700, 1000], 2)
    ('curve.flat', {'accuracy': '91.8%'})
    """
    if len(points) < 3:
        return "curve.too_few", {}
    last, before = points[-1], points[-2]
    early = next((value for share, value in points if share >= 0.4), points[0][1])
    if last[1] - before[1] < 0.005 and last[1] - early < 0.01:
        return "curve.flat", {"accuracy": f"{last[1]:.1%}"}
    # Points per doubling of the rows, from 40 % to 100 % (log-linear), carried to one more doubling.
    start = next(((share, value) for share, value in points if share >= 0.4), points[0])
    doublings = np.log2(last[0] / start[0]) or 1.0
    gain = max(0.0, (last[1] - start[1]) / doublings)
    per_class = max(1, round(sizes[-1] / max(1, classes)))
    return "curve.rising", {"n": f"{per_class:,}", "points": f"{gain * 100:.1f}"}


# -- active learning ---------------------------------------------------------------------------------


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


# -- the Data page's label check ---------------------------------------------------------------------

ACTIONS = ("accept", "relabel", "drop", "keep")


def conflicting_duplicates(texts, labels) -> list[LabelIssue]:
    """Rows whose text appears elsewhere with another label: each row not carrying its text's
    most common label (ties: the first seen), suggested that label; ``confidence`` is its share."""
    from collections import Counter, defaultdict

    by_text = defaultdict(list)
    for row, text in enumerate(texts):
        by_text[text].append(row)
    issues = []
    for text, rows in by_text.items():
        counts = Counter(labels[row] for row in rows)
        if len(counts) < 2:
            continue
        majority, count = counts.most_common(1)[0]
        for row in rows:
            if labels[row] != majority:
                issues.append(LabelIssue(row, text, labels[row], majority, count / len(rows)))
    return issues


def check_labels(frame, text_columns, label_column: str, corrections: dict | None = None,
                 preprocess: PreprocessConfig | None = None, seed: int = 0) -> list[LabelIssue]:
    """The Data page's label check: :func:`label_issues` and :func:`conflicting_duplicates`
    of a table's labelled rows (``corrections`` applied), numbered as rows of the file, leaving
    out the rows the user already decided on (those in ``corrections``)."""
    from core.data.dataset import labelled_rows

    rows, texts, labels = labelled_rows(frame, text_columns, label_column, corrections)
    if len(set(labels)) < 2:
        raise UserError("err.only_one_class", label=labels[0] if labels else "", column=label_column)
    decided = {int(row) for row in (corrections or {})}
    found = {issue.row: issue for issue in conflicting_duplicates(texts, labels)}
    for issue in label_issues(texts, labels, preprocess, seed):
        found.setdefault(issue.row, issue)
    ordered = sorted(found.values(), key=lambda issue: -issue.confidence)
    return [LabelIssue(rows[issue.row], issue.text, issue.given, issue.suggested, issue.confidence)
            for issue in ordered if rows[issue.row] not in decided]


def apply_decisions(corrections: dict, decisions) -> dict:
    """The corrections after the user's ``decisions`` (``{"row", "action", "given",
    "suggested", "label"}``): ``accept`` takes the suggestion, ``relabel`` the typed ``label``,
    ``drop`` leaves the row out, ``keep`` keeps the given label (and the check stops asking).
    Returns a new dict (file row as a string → label, "" = left out).

    Examples
    --------
    >>> apply_decisions({}, [{"row": 3, "action": "accept", "given": "ham", "suggested": "spam"},
    ...                      {"row": 7, "action": "drop"}, {"row": 9, "action": "relabel", "label": " news "}])
    {'3': 'spam', '7': '', '9': 'news'}
    """
    changed = dict(corrections or {})
    for decision in decisions:
        action, row = decision.get("action"), str(int(decision["row"]))
        if action == "accept":
            changed[row] = str(decision["suggested"])
        elif action == "relabel":
            label = str(decision.get("label") or "").strip()
            if not label:
                raise UserError("err.relabel_empty", row=row)
            changed[row] = label
        elif action == "drop":
            changed[row] = ""
        elif action == "keep":
            changed[row] = str(decision["given"])
    return changed


def accept_above(issues, threshold: float) -> list[dict]:
    """The decisions that take every suggestion the check is at least ``threshold`` sure of
    (0–1) — the label check's "take all above N %" (``issues`` as ``LabelIssue.to_dict``).

    Examples
    --------
    >>> accept_above([{"row": 1, "confidence": 0.95, "given": "a", "suggested": "b"},
    ...               {"row": 2, "confidence": 0.6, "given": "b", "suggested": "a"}], 0.9)
    [{'row': 1, 'confidence': 0.95, 'given': 'a', 'suggested': 'b', 'action': 'accept'}]
    """
    return [{**issue, "action": "accept"} for issue in issues
            if issue.get("suggested") not in (None, "") and float(issue["confidence"]) >= threshold - 1e-9]


# -- the Label page ----------------------------------------------------------------------------------

HOLDOUT_SHARE = 0.2


def holdout_rows(labels, share: float = HOLDOUT_SHARE, seed: int = 0) -> np.ndarray:
    """The labelled rows kept aside to score the quick model while labelling (stratified,
    seeded; none when a class has fewer than 2 rows)."""
    from collections import Counter

    from core.data.dataset import stratified_sample

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


def model_label_issues(bundle, texts, labels) -> list[LabelIssue]:
    """Label issues among held-out texts (a trained model's test split) from that model's own
    probabilities: cleanlab's confident learning, as :func:`label_issues`, with the trained
    model in place of the quick one. ``row``: the position in ``texts``. Labels the model does
    not know are left out."""
    known = [row for row, label in enumerate(labels) if label in bundle.labels]
    if len({labels[row] for row in known}) < 2:
        return []
    probabilities = np.asarray(bundle.predict_proba([texts[row] for row in known]), dtype=np.float64)
    present = sorted({bundle.labels.index(labels[row]) for row in known})
    # cleanlab wants every column to be a class present in the labels: keep those, renormalised.
    columns = np.array(present)
    scores = probabilities[:, columns]
    scores = scores / np.clip(scores.sum(axis=1, keepdims=True), 1e-12, None)
    y = np.array([present.index(bundle.labels.index(labels[row])) for row in known])
    return [LabelIssue(known[position], str(texts[known[position]]), labels[known[position]],
                       bundle.labels[columns[suggested]], float(scores[position, suggested]))
            for position, suggested in _confident_learning(y, scores)]


def file_rows_of(frame, text_columns, label_column: str, pairs, corrections: dict | None = None) -> list[int | None]:
    """The file row of each ``(text, label)`` pair (the first not yet matched), or ``None``
    when the loaded file has no such row (another file, or the row was dropped)."""
    from collections import defaultdict

    from core.data.dataset import labelled_rows

    rows, texts, labels = labelled_rows(frame, text_columns, label_column, corrections)
    where = defaultdict(list)
    for row, text, label in zip(rows, texts, labels):
        where[(text, label)].append(row)
    return [where[(text, label)].pop(0) if where.get((text, label)) else None for text, label in pairs]
