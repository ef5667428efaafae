"""Labels that look wrong (issue 19): out-of-fold probabilities of the quick model handed to
cleanlab's confident-learning label-issue finder (``cleanlab.filter.find_label_issues``) — the rows
whose given label is probably wrong, with the label the data suggests and how sure it is; texts
repeated with different labels; the user's decisions on them as corrections; a model's own flags
on its test texts, found again as rows of the loaded file.

cleanlab is AGPL-3.0 licensed (its source is public; a server that runs this app offers it
unchanged, as installed from PyPI)."""

from __future__ import annotations

import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from core.base.errors import UserError
from core.data.dataset import labelled_rows
from core.evaluation.quick import _tokens, out_of_fold
from core.text import PreprocessConfig


def _confident_learning(y, probabilities) -> list[tuple[int, int]]:
    """``(position, suggested class)`` of the rows cleanlab's ``find_label_issues`` ranks as
    label issues (most suspicious first), leaving out any whose most probable class is its own."""
    # lazy: cleanlab is needed only by the label check
    from cleanlab.filter import find_label_issues

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ranked = find_label_issues(y, probabilities, return_indices_ranked_by="self_confidence", n_jobs=1)
    suggested = np.argmax(probabilities, axis=1)
    return [(int(row), int(suggested[row])) for row in ranked if suggested[row] != y[row]]

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
    # lazy: cleanlab is needed only by the label check
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

ACTIONS = ("accept", "relabel", "drop", "keep")

def conflicting_duplicates(texts, labels) -> list[LabelIssue]:
    """Rows whose text appears elsewhere with another label: each row not carrying its text's
    most common label (ties: the first seen), suggested that label; ``confidence`` is its share."""
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

    rows, texts, labels = labelled_rows(frame, text_columns, label_column, corrections)
    where = defaultdict(list)
    for row, text, label in zip(rows, texts, labels):
        where[(text, label)].append(row)
    return [where[(text, label)].pop(0) if where.get((text, label)) else None for text, label in pairs]
