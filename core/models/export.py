"""Export a bundle as a TensorFlow SavedModel that takes raw strings, for TensorFlow Serving.

The cleaning and tokenization of :mod:`core.text` are rebuilt from TensorFlow string ops (RE2
regular expressions, Unicode code points, lookup tables), so the exported graph needs no
Python at serving time. What cannot run in a graph is refused with a message, not exported
half-right: Chinese word segmentation (``jieba``) and Traditional → Simplified conversion
(OpenCC). Input is expected in Unicode NFC (what nearly every text already is); the app also
normalises other forms, the graph does not.

Signatures of the export:

``serving_default(text: string[batch]) -> {"probabilities": float32[batch, classes], "label": string[batch]}``
    ``probabilities`` in the order of ``labels.json``; ``label`` follows the bundle's saved
    decision threshold, if any.
``tokenize(text: string[batch]) -> {"tokens": string[batch, max_tokens]}``
    The tokens the model reads (padded with ""), to check the preprocessing.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from pathlib import Path

from core.base.errors import UserError
from core.base.files import check_replaceable, staged
from core.text import CJK, ENTITIES, OOV_ID, stop_word_set

# Python's str.split() whitespace, as an RE2 class.
_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f\x{85}\p{Z}"
_WORD_CHAR = r"\p{L}\p{N}_"
_CJK_RE2 = "".join(f"\\x{{{ord(start):x}}}-\\x{{{ord(end):x}}}" for start, end in
                   [(CJK[0], CJK[2]), (CJK[3], CJK[5]), (CJK[6], CJK[8])])
_URL = r"(?i)https?://[^" + _SPACE + r"]+|www\.[^" + _SPACE + r"]+"
_EMOJI = (r"[\x{1F000}-\x{1FAFF}\x{1F1E6}-\x{1F1FF}\x{2600}-\x{27BF}\x{2B00}-\x{2BFF}"
          r"\x{FE0E}\x{FE0F}\x{200D}\x{20E3}\x{E000}-\x{F8FF}]")
_NUMBER = r"\p{Nd}+(?:[.,]\p{Nd}+)*"
# core.text._WORD once every CJK character stands alone between spaces.
_TOKEN = (rf"\p{{Nd}}+(?:[.,]\p{{Nd}}+)+|[{_WORD_CHAR}]+(?:'[{_WORD_CHAR}]+)*|[^{_WORD_CHAR}{_SPACE}]")


# What a SavedModel folder holds: a folder that holds anything else is not replaced.
SAVEDMODEL_FILES = ("saved_model.pb", "fingerprint.pb", "variables/", "assets/", "assets.extra/")


def exportable(bundle) -> None:
    """Raise :class:`UserError` when ``bundle``'s preprocessing cannot run inside a graph."""
    config = bundle.preprocess
    if bundle.kind == "tfidf":
        raise UserError("err.export_tfidf")
    if bundle.kind == "blend":
        raise UserError("err.export_blend")
    if config.tokenizer == "jieba":
        raise UserError("err.export_jieba")
    if config.to_simplified:
        raise UserError("err.export_opencc")


# Long on purpose: one tf.Module whose traced methods must share the same lookup tables and
# cleaning steps, written as the Python path (core.text) reads, step for step.
def _graph_functions(bundle):
    """The TensorFlow pieces of the export: a module holding the model and lookup tables."""
    # lazy: TensorFlow takes ~5 s to load: only the network path pays for it
    import tensorflow as tf

    config = bundle.preprocess
    max_length = int(config.max_length or 400)
    labels = list(bundle.labels)
    decision = bundle.decision

    def table(keys, values, default):
        initializer = tf.lookup.KeyValueTensorInitializer(tf.constant(keys, tf.string), tf.constant(values, tf.int64))
        return tf.lookup.StaticHashTable(initializer, default_value=default)

    class Exported(tf.Module):
        def __init__(self):
            super().__init__()
            self.model = bundle.model
            tokens = list(bundle.vocabulary.tokens) or ["[PAD-ONLY]"]
            self.vocabulary = table(tokens, list(range(2, len(tokens) + 2)), OOV_ID)
            stop = sorted(stop_word_set(config.stop_words)) if config.remove_stopwords else []
            self.stop_words = table(stop or [""], [1] * max(1, len(stop)), 0)
            self.use_stop_words = bool(stop)
            self.labels = tf.constant(labels)

        def clean(self, text):
            if config.decode_entities:     # before the spaces: &nbsp; is one
                for entity, character in ENTITIES:
                    text = tf.strings.regex_replace(text, re.escape(entity), character.replace("\\", "\\\\"))
            text = tf.strings.regex_replace(text, "[" + _SPACE + "]", " ")  # keep code points simple below
            if config.full_width:
                points = tf.strings.unicode_decode(text, "UTF-8", errors="replace")
                wide = (points >= 0xFF01) & (points <= 0xFF5E)
                points = tf.where(wide, points - 0xFEE0, points)
                text = tf.strings.unicode_encode(points, "UTF-8")
            if config.lowercase:
                text = tf.strings.lower(text, encoding="utf-8")
            if config.strip_urls:
                text = tf.strings.regex_replace(text, _URL, " ")
            if config.strip_emoji:
                text = tf.strings.regex_replace(text, _EMOJI, " ")
            if config.strip_numbers:
                text = tf.strings.regex_replace(text, _NUMBER, " ")
            if config.strip_punctuation:
                text = tf.strings.regex_replace(text, r"[\p{P}\p{S}]", " ")
            return text

        def tokens(self, text):
            text = self.clean(text)
            if config.tokenizer == "char":
                pieces = tf.strings.unicode_split(text, "UTF-8", errors="replace")
                pieces = tf.ragged.boolean_mask(pieces, pieces != " ")
            else:
                text = tf.strings.regex_replace(text, f"([{_CJK_RE2}])", r" \1 ")
                text = tf.strings.regex_replace(text, _TOKEN, r" \0 ")
                pieces = tf.strings.split(text, sep=" ")
                pieces = tf.ragged.boolean_mask(pieces, tf.strings.length(pieces) > 0)
            if self.use_stop_words:
                stop = self.stop_words.lookup(tf.strings.lower(pieces, encoding="utf-8")) > 0
                pieces = tf.ragged.boolean_mask(pieces, ~stop)
            return pieces

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def tokenize(self, text):
            return {"tokens": self.tokens(text).to_tensor(default_value="")}

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def serve(self, text):
            pieces = self.tokens(text)[:, :max_length]
            ids = tf.cast(self.vocabulary.lookup(pieces), tf.int32)
            dense = ids.to_tensor(default_value=0)
            width = tf.maximum(tf.shape(dense)[1], 1)
            dense = tf.pad(dense, [[0, 0], [0, width - tf.shape(dense)[1]]])
            # An empty text is one [UNK], as in Vocabulary.encode.
            empty = tf.expand_dims(ids.row_lengths() == 0, 1) & tf.expand_dims(tf.range(width) == 0, 0)
            dense = tf.where(empty, OOV_ID, dense)
            probabilities = tf.cast(self.model(dense, training=False), tf.float32)
            if decision and decision.get("positive") in labels and len(labels) == 2:
                positive = labels.index(decision["positive"])
                chosen = tf.where(probabilities[:, positive] >= decision["threshold"], positive, 1 - positive)
            else:
                chosen = tf.argmax(probabilities, axis=1, output_type=tf.int32)
            return {"probabilities": probabilities, "label": tf.gather(self.labels, chosen)}

    return Exported()


def export_savedmodel(bundle, directory) -> Path:
    """Write ``bundle`` as a SavedModel to ``directory`` (replacing it so that a crash leaves the old
    export or the new one whole, see :func:`core.base.files.replace_dir`).

    Raises
    ------
    UserError
        If the preprocessing cannot run in a graph (see :func:`exportable`).
    """
    # lazy: TensorFlow takes ~5 s to load: only the network path pays for it
    import tensorflow as tf


    exportable(bundle)
    directory = Path(directory)
    check_replaceable(directory, SAVEDMODEL_FILES, "savedmodel")
    module = _graph_functions(bundle)
    with staged(directory) as staging:
        tf.saved_model.save(module, str(staging), signatures={"serving_default": module.serve, "tokenize": module.tokenize})
        (staging / "assets.extra").mkdir(exist_ok=True)
        (staging / "assets.extra" / "labels.json").write_text(json.dumps(list(bundle.labels), ensure_ascii=False),
                                                              encoding="utf-8")
    return directory


def savedmodel_zip(bundle) -> bytes:
    """The SavedModel export of ``bundle`` as zip bytes (``saved_model.pb``, ``variables/`` …
    at the top level), for a download button."""
    exportable(bundle)
    with tempfile.TemporaryDirectory() as folder:
        directory = export_savedmodel(bundle, Path(folder) / "export")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(directory.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(directory).as_posix())
        return buffer.getvalue()
