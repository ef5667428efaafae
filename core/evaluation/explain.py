"""Why the model decided: how much each token of a text pushed towards the predicted class.

Occlusion: the text is run once as is and once without each of its tokens, all in one batch;
a token's weight is how much the **log-odds** of the explained class drop when it is left out
(negative: the token pulled towards another class). Log-odds (``ln p / (1 − p)``, with
``1 − p`` summed from the other classes' probabilities so it stays exact near 1) do not
saturate: on a 99.9 % prediction, leaving a word out barely moves the probability (0.999 →
0.998, shown as +0.00) but moves the log-odds by 0.7 — the word doubled the odds. A weight of
+0.69 means the word doubled the odds of the class, +2.3 multiplied them by ten. Works for any
model in a bundle and needs one forward pass of ``n + 1`` sequences for ``n`` tokens.
"""

from __future__ import annotations

import html
import re

import numpy as np

from core.base.errors import UserError
from core.text import CJK, stop_word_set, tokenize

_CJK_TOKEN = re.compile(f"^[{CJK}]")
_LETTER = re.compile(rf"[^\W\d_]|[{CJK}]")
# Probabilities are float32: log-odds are measured within these bounds (about ±69).
_TINY = 1e-30
DECIMALS = 2   # weights are rounded to this many decimals, in the JSON and on every page alike


def log_odds(probabilities, column: int) -> np.ndarray:
    """``ln p / (1 − p)`` of class ``column`` for each row of ``probabilities``, with ``1 − p``
    summed from the other classes (exact when ``p`` rounds to 1 in float32).

    Examples
    --------
    >>> [round(float(x), 2) for x in log_odds(np.array([[0.999, 0.001], [0.5, 0.5]], dtype="float32"), 0)]
    [6.91, 0.0]
    """
    p = np.asarray(probabilities, dtype=np.float64)
    rest = np.delete(p, column, axis=1).sum(axis=1)
    return np.log(np.maximum(p[:, column], _TINY)) - np.log(np.maximum(rest, _TINY))


def weight_text(weight: float) -> str:
    """A token's weight as every page and the CLI show it: ``+1.23``."""
    return f"{weight:+.{DECIMALS}f}"


def explain(bundle, text: str, label: str | None = None) -> dict:
    """Token weights for one text.

    Parameters
    ----------
    bundle : core.models.bundle.Bundle
    text : str
        Raw text, as a user typed it.
    label : str, optional
        The class to explain; the predicted one by default.

    Returns
    -------
    dict
        ``label``, ``probability`` (of that label), ``tokens``: ``[[token, weight], ...]`` in text
        order (tokens after cleaning, as the model sees them; weight: the drop in the label's
        log-odds without the token, rounded to 2 decimals), ``measure``: ``"log_odds"``, and
        ``cut``: tokens beyond the padding length, which the model never saw (not listed).

    Raises
    ------
    UserError
        If the text is empty or the label is not one of the model's classes.

    Examples
    --------
    >>> explain(bundle, "WIN a free prize now")["tokens"][:2]   # doctest: +SKIP
    [['win', 2.31], ['a', -0.04]]
    """
    if not text or not text.strip():
        raise UserError("err.empty_text")
    tokens = tokenize(text, bundle.preprocess)
    seen = bundle.read_tokens(tokens)
    # Each token left out in turn, all in one batch (a text left empty is one [UNK] to the network).
    probabilities = bundle.predict_token_lists([seen] + [seen[:i] + seen[i + 1:] for i in range(len(seen))])
    base = probabilities[0]
    if label is None:
        column = int(bundle.decide(base[None, :])[0])
    elif label in bundle.labels:
        column = bundle.labels.index(label)
    else:
        raise UserError("err.unknown_label", label=label, labels=", ".join(bundle.labels))
    odds = log_odds(probabilities, column)
    weights = odds[0] - odds[1:]
    return {
        "label": bundle.labels[column],
        "probability": round(float(base[column]), 4),
        "tokens": [[token, round(float(weight), DECIMALS)] for token, weight in zip(seen, weights)],
        "measure": "log_odds",
        "cut": max(0, len(tokens) - len(seen)),
    }


def top_tokens(explanation: dict, n: int = 5) -> list[tuple[str, float]]:
    """The ``n`` tokens that pushed most towards the explained label (positive weights only;
    a repeated token counts once, with its largest weight)."""
    best: dict[str, float] = {}
    for token, weight in explanation["tokens"]:
        if weight > 0 and weight > best.get(token, 0):
            best[token] = weight
    return sorted(best.items(), key=lambda item: -item[1])[:n]


def highlight_html(explanation: dict) -> str:
    """The tokens as HTML spans coloured by weight (blue: towards the label, red: against),
    every token escaped. Chinese tokens are joined without spaces, others with one."""
    tokens = explanation["tokens"]
    scale = max((abs(weight) for _, weight in tokens), default=0) or 1.0
    parts: list[str] = []
    previous_cjk = True
    for token, weight in tokens:
        strength = min(1.0, abs(weight) / scale)
        colour = "37, 99, 235" if weight >= 0 else "220, 38, 38"
        cjk = bool(_CJK_TOKEN.match(token))
        if parts and not (cjk and previous_cjk):
            parts.append(" ")
        parts.append(f'<span title="{weight_text(weight)}" style="background: rgba({colour}, {0.08 + 0.62 * strength:.2f}); '
                     f'border-radius: 3px; padding: 1px 2px">{html.escape(token)}</span>')
        previous_cjk = cjk
    return '<div style="line-height: 2">' + "".join(parts) + "</div>"


def meaningful(token: str, stop_words=frozenset()) -> bool:
    """Whether a token can say what a class is about: it has a letter (or is Chinese), is not a
    single Latin letter, and is not a stop word. Punctuation, numbers, "a" and "the" are not.

    Examples
    --------
    >>> [token for token in ["-", "/", "a", "b", "2", "free", "股", "the"] if meaningful(token, frozenset({"the"}))]
    ['free', '股']
    """
    if not _LETTER.search(token) or token.lower() in stop_words:
        return False
    return len(token) > 1 or bool(_CJK_TOKEN.match(token))


def class_words(bundle, texts, top: int = 10, limit: int = 200) -> dict[str, list[tuple[str, float]]]:
    """Per class, the words that pushed hardest towards it across (up to ``limit`` of)
    ``texts``: each text is explained for its predicted class, and a word's positive weights
    there are summed. Only words that carry meaning count (see :func:`meaningful`; the
    built-in stop-word lists are used whether or not the model removes stop words).
    Returns ``{label: [(word, total weight), ...]}`` for the labels predicted."""
    stop_words = stop_word_set(None) | stop_word_set(bundle.preprocess.stop_words)
    totals: dict[str, dict[str, float]] = {}
    for text in list(texts)[:limit]:
        if not str(text).strip():
            continue
        result = explain(bundle, str(text))
        label_totals = totals.setdefault(result["label"], {})
        for token, weight in result["tokens"]:
            if weight > 0 and meaningful(token, stop_words):
                label_totals[token] = label_totals.get(token, 0.0) + weight
    return {label: [(token, round(total, DECIMALS)) for token, total in
                    sorted(words.items(), key=lambda item: -item[1])[:top]]
            for label, words in sorted(totals.items())}
