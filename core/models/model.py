"""The network: Embedding → LSTM → Dense softmax, written as a visible data flow."""

from __future__ import annotations

import keras
from keras import layers, ops

# The configuration lives in core.base.config (no TensorFlow needed to read it); re-exported here.
from core.base.config import MAX_PAIR_BUCKETS, MIN_PAIR_BUCKETS, RNNS, ModelConfig, pair_buckets  # noqa: F401


@keras.saving.register_keras_serializable(package="text_classifier_studio")
class MaskedGlobalMaxPooling1D(layers.Layer):
    """Max over time that ignores padding.

    Keras's GlobalMaxPooling1D drops the mask, so padded steps would compete in the max and a
    text's result would depend on how much its batch was padded.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            floor = ops.cast(ops.min(inputs) - 1.0, inputs.dtype)
            inputs = ops.where(ops.expand_dims(mask, -1), inputs, floor)
        return ops.max(inputs, axis=1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


# A token pair's hash: first id × a large prime + second id, modulo the table size.
PAIR_PRIME = 1_000_003


@keras.saving.register_keras_serializable(package="text_classifier_studio")
class TokenPairEmbedding(layers.Layer):
    """A vector for each token and the token after it, looked up by hashing the two ids into
    ``buckets`` rows. Computed from the token ids inside the model, so the vocabulary, the
    saved bundle and every caller stay as they are. The last token of a text (no pair) and
    padding get zeros."""

    def __init__(self, buckets: int, output_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.buckets = int(buckets)
        self.output_dim = int(output_dim)
        self.table = layers.Embedding(self.buckets, self.output_dim, name="pair_table")

    def build(self, input_shape):
        self.table.build(input_shape)
        self.built = True

    def call(self, ids):
        ids = ops.cast(ids, "int64")
        following = ops.pad(ids[:, 1:], [[0, 0], [0, 1]])
        vectors = self.table((ids * PAIR_PRIME + following) % self.buckets)
        present = ops.cast(ops.logical_and(ops.not_equal(ids, 0), ops.not_equal(following, 0)), vectors.dtype)
        return vectors * ops.expand_dims(present, -1)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def get_config(self):
        return {**super().get_config(), "buckets": self.buckets, "output_dim": self.output_dim}


def build_model(vocab_size: int, num_classes: int, config: ModelConfig, pair_table: int = MIN_PAIR_BUCKETS):
    """Build the (uncompiled) Keras classifier.

    Inputs are right-padded token ids (0 = padding); ``mask_zero`` makes the recurrent layers
    skip the padding (the Conv1D block, which drops masks, gets the mask passed on by hand),
    and the default tanh/sigmoid activations without recurrent dropout keep the layers
    eligible for the fast cuDNN kernel on a GPU.

    Examples
    --------
    >>> model = build_model(100, 2, ModelConfig(embedding_dim=8, lstm_units=8))
    >>> model.output_shape
    (None, 2)
    >>> build_model(100, 3, ModelConfig(embedding_dim=8, lstm_units=8, rnn="gru", layers=2, conv_filters=8,
    ...                                 dense_units=8, bidirectional=True, token_pairs=True)).output_shape
    (None, 3)

    ``pair_table``: rows of the token-pair table when ``config.token_pairs`` (see :func:`pair_buckets`).
    """
    regularizer = keras.regularizers.L2(config.l2) if config.l2 else None
    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    mask = ops.not_equal(inputs, 0)
    x = layers.Embedding(vocab_size, config.embedding_dim, mask_zero=True, trainable=not config.freeze_embedding,
                         name="embedding")(inputs)
    if config.token_pairs:
        x = x + TokenPairEmbedding(pair_table, config.embedding_dim, name="pair_embedding")(inputs)
    x = layers.Dropout(config.dropout_rate, name="embedding_dropout")(x)
    if config.conv_filters:
        # Padding steps as zeros, as the convolution's own "same" padding: a text's result then
        # does not depend on how far its batch was padded.
        x = x * ops.expand_dims(ops.cast(mask, x.dtype), -1)
        x = layers.Conv1D(config.conv_filters, config.conv_kernel, padding="same", activation="relu",
                          kernel_regularizer=regularizer, name="conv")(x)
    recurrent = layers.LSTM if config.rnn == "lstm" else layers.GRU
    for index in range(config.layers):
        last = index == config.layers - 1
        name = "lstm" if (config.rnn == "lstm" and config.layers == 1) else f"{config.rnn}_{index + 1}"
        layer = recurrent(config.lstm_units, return_sequences=not last or config.pooling == "max",
                          kernel_regularizer=regularizer, name=name)
        if config.bidirectional:
            layer = layers.Bidirectional(layer, name="bidirectional" if config.layers == 1 else f"bidirectional_{index + 1}")
        x = layer(x, mask=mask)
    if config.pooling == "max":
        x = MaskedGlobalMaxPooling1D(name="max_pooling")(x, mask=mask)
    x = layers.Dropout(config.dropout_rate, name="lstm_dropout")(x)
    if config.dense_units:
        x = layers.Dense(config.dense_units, activation="relu", kernel_regularizer=regularizer, name="dense")(x)
        x = layers.Dropout(config.dropout_rate, name="dense_dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities", dtype="float32")(x)
    return keras.Model(inputs, outputs, name="text_classifier")
