"""The network: Embedding → LSTM → Dense softmax, written as a visible data flow."""

from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers, ops

from core.config import JsonConfig
from core.errors import UserError


@dataclass(frozen=True)
class ModelConfig(JsonConfig):
    """Architecture settings. Round-trips through JSON with ``to_dict``/``from_dict``.

    Attributes
    ----------
    embedding_dim : int
        Size of the vector learned for each token.
    lstm_units : int
        Size of the LSTM's memory; larger learns more patterns but is slower and overfits sooner.
    dropout_rate : float
        Share of values randomly zeroed while training (0 = off); fights overfitting.
    pooling : {"max", "last"}
        How the LSTM's outputs become one vector: ``last`` keeps the final state (the classic
        recipe); ``max`` takes the strongest signal at any position, which learns faster and
        better on long texts, where the final state forgets the beginning.
    bidirectional : bool
        Read each text both ways (two LSTMs, outputs joined): a word sees what follows it as
        well as what came before; about twice the training time.
    """

    embedding_dim: int = 128
    lstm_units: int = 128
    dropout_rate: float = 0.2
    pooling: str = "max"
    bidirectional: bool = False

    def __post_init__(self):
        if not 2 <= self.embedding_dim <= 1024:
            raise UserError("err.bad_setting", name="embedding_dim", value=self.embedding_dim, allowed="2 … 1024")
        if not 2 <= self.lstm_units <= 1024:
            raise UserError("err.bad_setting", name="lstm_units", value=self.lstm_units, allowed="2 … 1024")
        if not 0.0 <= self.dropout_rate < 0.9:
            raise UserError("err.bad_setting", name="dropout_rate", value=self.dropout_rate, allowed="0 … 0.9")
        if self.pooling not in ("max", "last"):
            raise UserError("err.bad_setting", name="pooling", value=self.pooling, allowed="max, last")



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


def build_model(vocab_size: int, num_classes: int, config: ModelConfig):
    """Build the (uncompiled) Keras classifier.

    Inputs are right-padded token ids (0 = padding); ``mask_zero`` makes the LSTM skip the
    padding, and the default tanh/sigmoid activations without recurrent dropout keep the layer
    eligible for the fast cuDNN kernel on a GPU.

    Examples
    --------
    >>> model = build_model(100, 2, ModelConfig(embedding_dim=8, lstm_units=8))
    >>> model.output_shape
    (None, 2)
    """
    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = layers.Embedding(vocab_size, config.embedding_dim, mask_zero=True, name="embedding")(inputs)
    x = layers.Dropout(config.dropout_rate, name="embedding_dropout")(x)
    lstm = layers.LSTM(config.lstm_units, return_sequences=config.pooling == "max", name="lstm")
    x = (layers.Bidirectional(lstm, name="bidirectional") if config.bidirectional else lstm)(x)
    if config.pooling == "max":
        x = MaskedGlobalMaxPooling1D(name="max_pooling")(x)
    x = layers.Dropout(config.dropout_rate, name="lstm_dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities", dtype="float32")(x)
    return keras.Model(inputs, outputs, name="text_classifier")
