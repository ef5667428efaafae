"""What validation finds in a data set, in counts and plain words.

Each :class:`Finding` has a ``kind`` (stable, for code and JSON), a ``count``, and a catalog
key with parameters for the message a person reads. ``find_issues`` never changes the data;
the user decides what to do (see ``core.data.dataset.validate``'s options).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from core.text import chinese_share
from core.base.i18n import translate

SMALL_CLASS = 20
IMBALANCE_RATIO = 10
SHORT_TEXT_CHARS = 3
LONG_TEXT_CHARS = 5000
MANY_LABELS = 100
# UTF-8 read as Windows-1252/Latin-1 leaves tell-tale pairs: "Ã©" for "é", "â€™" for "’",
# "å£" for "£" and "æ–‡" for "文".
MOJIBAKE = re.compile("[ÃÂâåæçèéäÌ][\u0080-\u00bf\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
                      "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc]")


@dataclass
class Finding:
    """One thing validation noticed. ``severity`` is "error" (must be fixed to train),
    "warning" (worth a look) or "info". ``apply``: settings changes that act on it in the next
    training run (``ModelConfig``/``TrainConfig`` field → value), empty when no setting helps."""

    kind: str
    count: int
    key: str
    params: dict = field(default_factory=dict)
    severity: str = "warning"
    apply: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "count": self.count, "severity": self.severity,
                "message": translate(self.key, "en", **self.params)}


def label_variants(labels) -> dict[str, list[str]]:
    """Labels that differ only by case or spaces: ``{canonical: [variants]}`` (2+ variants)."""
    groups = defaultdict(set)
    for label in labels:
        groups[" ".join(label.split()).casefold()].add(label)
    return {key: sorted(values) for key, values in groups.items() if len(values) > 1}


def find_issues(texts, labels, label_column: str) -> list[Finding]:
    """Duplicates, conflicting labels, label variants, small or missing classes, imbalance,
    very short/long texts, mojibake and the language mix of validated examples."""
    findings: list[Finding] = []
    counts = Counter(labels)
    pairs = Counter(zip(texts, labels))
    duplicates = sum(n - 1 for n in pairs.values() if n > 1)
    if duplicates:
        findings.append(Finding("duplicates", duplicates, "find.duplicates", {"n": duplicates}))
    labels_of = defaultdict(set)
    for text, label in pairs:
        labels_of[text].add(label)
    conflicts = sum(1 for values in labels_of.values() if len(values) > 1)
    if conflicts:
        findings.append(Finding("conflicts", conflicts, "find.conflicts", {"n": conflicts}))
    variants = label_variants(counts)
    if variants:
        shown = "; ".join(" = ".join(f"'{v}'" for v in group) for group in list(variants.values())[:5])
        findings.append(Finding("label_variants", len(variants), "find.label_variants", {"groups": shown}))
    if len(counts) > MANY_LABELS or len(counts) > 0.5 * len(texts):
        findings.append(Finding("many_labels", len(counts), "warn.many_labels", {"n": len(counts), "column": label_column}))
    single = sorted(label for label, n in counts.items() if n < 2)
    if single:
        findings.append(Finding("single_example_classes", len(single), "find.single", {"labels": _some(single)},
                                severity="error"))
    small = sorted(label for label, n in counts.items() if 2 <= n < SMALL_CLASS)
    if small:
        findings.append(Finding("small_classes", len(small), "warn.small_classes",
                                {"labels": _some(small), "n": SMALL_CLASS}))
    largest, smallest = max(counts.values()), min(counts.values())
    if smallest and largest / smallest >= IMBALANCE_RATIO:
        big = max(counts, key=lambda label: counts[label])
        little = min(counts, key=lambda label: counts[label])
        findings.append(Finding("imbalance", round(largest / smallest), "find.imbalance",
                                {"ratio": round(largest / smallest), "big": big, "big_n": largest,
                                 "small": little, "small_n": smallest}))
    short = sum(1 for text in texts if len(text) < SHORT_TEXT_CHARS)
    if short:
        findings.append(Finding("short_texts", short, "find.short", {"n": short, "chars": SHORT_TEXT_CHARS}, "info"))
    long = sum(1 for text in texts if len(text) > LONG_TEXT_CHARS)
    if long:
        findings.append(Finding("long_texts", long, "find.long", {"n": long, "chars": LONG_TEXT_CHARS}, "info"))
    garbled = sum(1 for text in texts if MOJIBAKE.search(text))
    if garbled:
        findings.append(Finding("mojibake", garbled, "find.mojibake", {"n": garbled}))
    chinese = chinese_share(texts)
    if 0.1 <= chinese <= 0.9:
        findings.append(Finding("language_mix", round(chinese * 100), "find.language_mix",
                                {"zh": f"{chinese:.0%}", "other": f"{1 - chinese:.0%}"}, "info"))
    return findings


def _some(labels: list[str], limit: int = 10) -> str:
    shown = ", ".join(f"'{label}'" for label in labels[:limit])
    return shown + (f" (+{len(labels) - limit})" if len(labels) > limit else "")
