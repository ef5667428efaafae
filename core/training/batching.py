"""How the rows of a data set are split and fed to the network.

A stratified, seeded train/validation/test split (:func:`split_dataset`); class weights for
unbalanced data (:func:`suggest_class_weight`, :func:`class_weights`); and length-bucketed,
right-padded batches (:func:`batch_rows`, :func:`token_dataset`), so each batch is padded only
to its own longest text. Nothing here imports TensorFlow until a tf.data pipeline is built.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from core.base.errors import UserError

# Examples are sorted by length inside windows of this many batches, so each batch is padded
# only to its own longest text (little wasted LSTM work) while batches stay well mixed.
BUCKET_WINDOW_BATCHES = 32


IMBALANCE_FOR_WEIGHTS = 5


def suggest_class_weight(labels) -> str:
    """``"balanced"`` when the largest class has at least 5× the examples of the smallest,
    else ``"none"``: what the Train page and the presets pick by default."""
    counts = Counter(labels)
    if len(counts) < 2:
        return "none"
    return "balanced" if max(counts.values()) >= IMBALANCE_FOR_WEIGHTS * min(counts.values()) else "none"


def class_weights(y, classes: int) -> dict[int, float]:
    """Balanced class weights n / (classes × count) over the training labels ``y``.

    Examples
    --------
    >>> class_weights(np.array([0, 0, 0, 1]), 2)
    {0: 0.6667, 1: 2.0}
    """
    counts = np.bincount(y, minlength=classes)
    return {i: round(float(len(y) / (classes * count)), 4) if count else 1.0 for i, count in enumerate(counts)}


@dataclass
class Split:
    """Indices of the training, validation and test examples."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def split_dataset(labels, validation_share: float, test_share: float, seed: int) -> Split:
    """Stratified, seeded train/validation/test split.

    Classes too small to appear in every part go to training (and the split is stratified
    on the rest), so a rare class never makes the split fail.

    Raises
    ------
    UserError
        If the data is too small to hold out validation (and test) examples.
    """
    # lazy: scikit-learn takes ~1 s to load: only fitting and scoring pay for it
    from sklearn.model_selection import train_test_split

    labels = np.asarray(labels)
    indices = np.arange(len(labels))
    parts = 2 + (test_share > 0)
    if len(labels) < 10 * parts:
        raise UserError("err.too_few_rows", n=len(labels), minimum=10 * parts)
    values, counts = np.unique(labels, return_counts=True)
    rare = set(values[counts < parts + 1])
    common = np.array([i for i in indices if labels[i] not in rare])
    forced_train = np.array([i for i in indices if labels[i] in rare], dtype=int)

    def cut(pool, share):
        strata = labels[pool]
        stratify = strata if len(np.unique(strata)) > 1 and share * len(pool) >= len(np.unique(strata)) else None
        return train_test_split(pool, test_size=share, random_state=seed, stratify=stratify)

    if test_share > 0:
        rest, test = cut(common, test_share)
    else:
        rest, test = common, np.array([], dtype=int)
    train, validation = cut(rest, validation_share / (1 - test_share))
    return Split(np.sort(np.concatenate([train, forced_train])), np.sort(validation), np.sort(test))


def batch_rows(lengths, batch_size: int, rng: np.random.Generator | None, replicas: int = 1) -> list:
    """Length-bucketed batches (arrays of row numbers). With ``rng`` the order is shuffled.

    With several devices (``replicas``) the first batch splits evenly across them: Keras builds a
    distributed model from the first batch by averaging it across the devices, which fails when
    their parts differ in size (later uneven batches are fine). A batch whose size divides is
    moved to the front, or else the largest batch, without its remainder rows, which follow it
    as a batch of their own. The number of batches does not depend on ``rng``.

    Examples
    --------
    >>> [len(rows) for rows in batch_rows([5] * 251, 256, None, replicas=2)]
    [250, 1]
    """
    order = rng.permutation(len(lengths)) if rng is not None else np.arange(len(lengths))
    batches: list = []
    for window in _windows(len(order), batch_size):
        chunk = order[window.start : window.stop]
        chunk = chunk[np.argsort([lengths[i] for i in chunk], kind="stable")]
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    if replicas > 1 and batches and len(batches[0]) % replicas:
        even = next((i for i, rows in enumerate(batches) if len(rows) % replicas == 0), None)
        if even is not None:
            batches[0], batches[even] = batches[even], batches[0]
        else:  # none divides: the largest goes first, its remainder rows after it
            rows = batches.pop(max(range(len(batches)), key=lambda i: len(batches[i])))
            cut = len(rows) // replicas * replicas
            batches[:0] = [rows[:cut], rows[cut:]] if cut else [rows]
    return batches


def token_dataset(sequences, labels, batch_size: int, seed: int | None, replicas: int = 1):
    """A tf.data pipeline of :func:`batch_rows`' batches: right-padded ids, each batch padded
    only to its own longest text. With ``seed`` the batches are reshuffled every epoch."""
    # lazy: TensorFlow takes ~5 s to load: only the network path pays for it
    import tensorflow as tf

    rng = np.random.default_rng(seed) if seed is not None else None
    lengths = [len(sequence) for sequence in sequences]

    def batches():
        for rows in batch_rows(lengths, batch_size, rng, replicas):
            ids = np.zeros((len(rows), max(1, max(lengths[i] for i in rows))), dtype=np.int32)
            for r, i in enumerate(rows):
                ids[r, : lengths[i]] = sequences[i]
            yield ids, labels[rows]

    dataset = tf.data.Dataset.from_generator(
        batches, output_signature=(tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None], tf.int32)))
    # The batch count is known (shuffling changes which rows, not how many batches); telling
    # tf.data lets Keras plan epochs without running dry.
    steps = len(batch_rows(lengths, batch_size, None, replicas))
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(steps))
    # Validation batches never change: build them once. Training batches are reshuffled each epoch.
    return (dataset.cache() if rng is None else dataset).prefetch(tf.data.AUTOTUNE)


def _windows(n: int, batch_size: int):
    window = batch_size * BUCKET_WINDOW_BATCHES
    return [range(start, min(n, start + window)) for start in range(0, n, window)]
