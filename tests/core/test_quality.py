"""Issue 19 (headless part): labels that look wrong, the texts to label next, the learning curve."""

import numpy as np
import pytest

from core.data.dataset import SAMPLES, load_dataset
from core.evaluation.active import Pool
from core.evaluation.curve import learning_curve
from core.evaluation.labels import label_issues, label_scores
from core.text import PreprocessConfig


def flipped(labels, share: float, seed: int):
    """``labels`` with ``share`` of them moved to another class (seeded), and the rows moved."""
    rng = np.random.default_rng(seed)
    names = sorted(set(labels))
    rows = rng.choice(len(labels), int(share * len(labels)), replace=False)
    noisy = list(labels)
    for row in rows:
        noisy[row] = rng.choice([name for name in names if name != labels[row]])
    return noisy, set(rows.tolist())


def test_planted_label_errors_are_found_and_the_right_label_suggested():
    dataset, _ = load_dataset(SAMPLES["sms_spam"].path)
    noisy, planted = flipped(dataset.labels, 0.05, seed=1)
    _, _, _, quality = label_scores(dataset.texts, noisy)
    most_suspicious = set(np.argsort(quality)[:len(planted)].tolist())
    assert len(most_suspicious & planted) / len(planted) >= 0.6
    issues = label_issues(dataset.texts, noisy)
    assert len(issues) >= len(planted) // 2
    found = [issue for issue in issues if issue.row in planted]
    assert len(found) / len(issues) >= 0.6
    # A flipped row gets its own label back as the suggestion.
    assert all(issue.suggested == dataset.labels[issue.row] and issue.given == noisy[issue.row] for issue in found)
    assert all(0.5 <= issue.confidence <= 1 for issue in issues)


def test_a_batch_never_repeats_a_labelled_text_and_spreads_near_duplicates():
    spam = ["win a free prize now", "claim your free cash prize", "free entry to win a prize"]
    ham = ["see you at lunch", "dinner at eight tonight", "are you home for dinner tonight"]
    unsure = ["free prize at lunch or dinner tonight", "Free prize at lunch or dinner tonight!",
              "free prize at lunch, or dinner tonight", "FREE prize at lunch or dinner tonight!!"]   # near duplicates
    clear = ["win a free cash prize now", "see you at dinner tonight", "free prize entry", "home for lunch"]
    pool = Pool(unsure + clear + ["are you home for dinner tonight"], PreprocessConfig())
    picked = pool.propose({}, n=3, extra_texts=spam + ham, extra_labels=["spam"] * 3 + ["ham"] * 3)
    texts = [pool.texts[row] for row in picked]
    assert len(picked) == 3 and "are you home for dinner tonight" not in texts     # labelled already
    assert texts[0] in unsure and sum(text in unsure for text in texts) == 1       # the most uncertain, once
    again = pool.propose({picked[0]: "spam"}, n=3, extra_texts=spam + ham, extra_labels=["spam"] * 3 + ["ham"] * 3)
    assert picked[0] not in again
    # From no labels: one text per cluster, not three of the same kind.
    first = [pool.texts[row] for row in pool.propose({}, n=3)]
    assert len(set(first)) == 3 and sum(text in unsure for text in first) <= 1


def test_the_curve_reads_rising_on_a_growing_set_and_flat_on_a_saturated_one():
    dataset, _ = load_dataset(SAMPLES["thucnews_titles"].path)
    config = PreprocessConfig(tokenizer="char")
    rising = learning_curve(dataset.texts[:2400], dataset.labels[:2400], dataset.texts[2400:], dataset.labels[2400:],
                            config)
    assert [share for share, _ in rising["points"]] == [0.1, 0.2, 0.4, 0.7, 1.0]
    assert rising["points"][-1][1] > rising["points"][0][1] + 0.1
    assert rising["reading_key"] == "curve.rising" and "per class" in rising["reading"]
    easy_texts = [f"{word} {i}" for i in range(200) for word in ("sunny warm bright", "rain cold storm")]
    easy_labels = ["good", "bad"] * 200
    flat = learning_curve(easy_texts[:300], easy_labels[:300], easy_texts[300:], easy_labels[300:])
    assert flat["reading_key"] == "curve.flat" and flat["points"][-1][1] == pytest.approx(1.0)


def test_the_curve_of_the_network_on_request():
    from tests.core.conftest import TINY_MODEL, TINY_TRAIN, small_sample

    data = small_sample(rows=600)
    steps = []
    curve = learning_curve(data.texts[:500], data.labels[:500], data.texts[500:], data.labels[500:],
                           PreprocessConfig(), shares=(0.4, 0.7, 1.0), network=(TINY_MODEL, TINY_TRAIN),
                           progress=lambda done, total: steps.append((done, total)))
    assert curve["model"] == "network" and steps == [(1, 3), (2, 3), (3, 3)]
    assert [share for share, _ in curve["points"]] == [0.4, 0.7, 1.0] and curve["rows"] == [200, 350, 500]
    assert all(0.5 <= accuracy <= 1 for _, accuracy in curve["points"])
