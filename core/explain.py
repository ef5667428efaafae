"""Why the model decided: how much each token of a text pushed towards the predicted class.

Occlusion: the text is run once as is and once without each of its tokens, all in one batch;
a token's weight is how much the predicted class's probability drops when it is left out
(negative: the token pulled towards another class). Works for any model in a bundle and
needs one forward pass of ``n + 1`` sequences for ``n`` tokens.
"""

from __future__ import annotations

import html
import re

from core.errors import UserError
from core.text import CJK, tokenize

_CJK_TOKEN = re.compile(f"^[{CJK}]")


def explain(bundle, text: str, label: str | None = None) -> dict:
    """Token weights for one text.

    Parameters
    ----------
    bundle : core.bundle.Bundle
    text : str
        Raw text, as a user typed it.
    label : str, optional
        The class to explain; the predicted one by default.

    Returns
    -------
    dict
        ``label``, ``probability`` (of that label), ``tokens``: ``[[token, weight], ...]`` in text
        order (tokens after cleaning, as the model sees them), and ``cut``: tokens beyond the
        padding length, which the model never saw (weight 0, not listed).

    Raises
    ------
    UserError
        If the text is empty or the label is not one of the model's classes.

    Examples
    --------
    >>> explain(bundle, "WIN a free prize now")["tokens"][:2]   # doctest: +SKIP
    [['win', 0.31], ['a', -0.01]]
    """
    if not text or not text.strip():
        raise UserError("err.empty_text")
    tokens = tokenize(text, bundle.preprocess)
    length = bundle.preprocess.max_length
    seen = tokens[:length] if length else tokens
    # Each token left out in turn, all in one batch (a text left empty is one [UNK] to the network).
    probabilities = bundle.predict_token_lists([seen] + [seen[:i] + seen[i + 1:] for i in range(len(seen))])
    base = probabilities[0]
    if label is None:
        column = int(bundle.decide(base[None, :])[0])
    elif label in bundle.labels:
        column = bundle.labels.index(label)
    else:
        raise UserError("err.unknown_label", label=label, labels=", ".join(bundle.labels))
    weights = base[column] - probabilities[1:, column]
    return {
        "label": bundle.labels[column],
        "probability": round(float(base[column]), 4),
        "tokens": [[token, round(float(weight), 4)] for token, weight in zip(seen, weights)],
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
    parts = []
    previous_cjk = True
    for token, weight in tokens:
        strength = min(1.0, abs(weight) / scale)
        colour = "37, 99, 235" if weight >= 0 else "220, 38, 38"
        cjk = bool(_CJK_TOKEN.match(token))
        if parts and not (cjk and previous_cjk):
            parts.append(" ")
        parts.append(f'<span title="{weight:+.3f}" style="background: rgba({colour}, {0.08 + 0.62 * strength:.2f}); '
                     f'border-radius: 3px; padding: 1px 2px">{html.escape(token)}</span>')
        previous_cjk = cjk
    return '<div style="line-height: 2">' + "".join(parts) + "</div>"


def class_words(bundle, texts, top: int = 10, limit: int = 200) -> dict[str, list[tuple[str, float]]]:
    """Per class, the tokens that pushed hardest towards it across (up to ``limit`` of)
    ``texts``: each text is explained for its predicted class and a token's positive weights
    are summed. Returns ``{label: [(token, total weight), ...]}`` for the labels predicted."""
    totals: dict[str, dict[str, float]] = {}
    for text in list(texts)[:limit]:
        if not str(text).strip():
            continue
        result = explain(bundle, str(text))
        label_totals = totals.setdefault(result["label"], {})
        for token, weight in result["tokens"]:
            if weight > 0:
                label_totals[token] = label_totals.get(token, 0.0) + weight
    return {label: [(token, round(total, 3)) for token, total in sorted(words.items(), key=lambda item: -item[1])[:top]]
            for label, words in sorted(totals.items())}
