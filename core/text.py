"""Preprocessing: clean a text, split it into tokens, map tokens to ids.

One :class:`PreprocessConfig` decides everything, so the same raw text always becomes the same
ids — at training time, in a saved bundle and in the CLI.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from core.config import JsonConfig
from core.errors import UserError

PAD_ID = 0
OOV_ID = 1
OOV_TOKEN = "[UNK]"
# Padding length: the 95th percentile of token counts, never above this cap (long texts are
# cut, keeping their beginning) and never below MIN_LENGTH.
LENGTH_PERCENTILE = 95
MAX_LENGTH_CAP = 400
MIN_LENGTH = 8

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A word: a CJK character on its own (Chinese has no spaces), a run of other letters/digits
# (with inner apostrophes, as in "don't"), or a single symbol.
_WORD = re.compile(rf"[{CJK}]|[^\W{CJK}]+(?:'[^\W{CJK}]+)*|[^\w\s]")

# Common Chinese function words; English stop words come from scikit-learn's list.
CHINESE_STOP_WORDS = frozenset(
    "的 了 在 是 我 有 和 就 不 人 都 一 一个 上 也 很 到 说 要 去 你 会 着 没有 看 好 自己 这 那 他 她 它 们 吧 啊 呢 吗 哦 呀 与 及 或 而 被 把 让 给 从 对 于".split()
)


@dataclass(frozen=True)
class PreprocessConfig(JsonConfig):
    """How raw text becomes tokens. Round-trips through JSON with ``to_dict``/``from_dict``.

    Attributes
    ----------
    lowercase, strip_punctuation, strip_numbers, strip_urls, remove_stopwords : bool
        Cleaning steps, applied in that order.
    tokenizer : {"word", "char"}
        ``word`` splits on spaces and punctuation (each Chinese character is its own token);
        ``char`` makes every non-space character a token.
    max_vocab : int
        Keep at most this many of the most frequent tokens; the rest become ``[UNK]``.
    min_count : int
        Tokens seen fewer times than this in the training data become ``[UNK]``.
    max_length : int or None
        Padding length in tokens; ``None`` means "choose from the data" (95th percentile).
    """

    lowercase: bool = True
    strip_punctuation: bool = False
    strip_numbers: bool = False
    strip_urls: bool = False
    remove_stopwords: bool = False
    tokenizer: str = "word"
    max_vocab: int = 20000
    min_count: int = 2
    max_length: int | None = None

    def __post_init__(self):
        if self.tokenizer not in ("word", "char"):
            raise UserError("err.bad_setting", name="tokenizer", value=self.tokenizer, allowed="word, char")
        if self.max_vocab < 10:
            raise UserError("err.bad_setting", name="max_vocab", value=self.max_vocab, allowed=">= 10")
        if self.min_count < 1:
            raise UserError("err.bad_setting", name="min_count", value=self.min_count, allowed=">= 1")
        if self.max_length is not None and not 1 <= self.max_length <= 5000:
            raise UserError("err.bad_setting", name="max_length", value=self.max_length, allowed="1 … 5000")



def chinese_share(texts) -> float:
    """Share of the texts (0–1) in which CJK characters are the majority of letters."""
    texts = list(texts)[:2000]
    if not texts:
        return 0.0
    chinese = 0
    for text in texts:
        cjk = len(_CJK_CHAR.findall(text))
        letters = sum(1 for ch in text if ch.isalpha())
        if letters and cjk * 2 > letters:
            chinese += 1
    return chinese / len(texts)


def default_config(texts) -> PreprocessConfig:
    """The settings the app starts from: characters when most texts are Chinese, else words."""
    return PreprocessConfig(tokenizer="char" if chinese_share(texts) > 0.5 else "word")


def clean(text: str, config: PreprocessConfig) -> str:
    """Apply the cleaning steps of ``config`` to one text (tokenization not included)."""
    text = unicodedata.normalize("NFC", text)
    if config.lowercase:
        text = text.lower()
    if config.strip_urls:
        text = _URL.sub(" ", text)
    if config.strip_numbers:
        text = _NUMBER.sub(" ", text)
    if config.strip_punctuation:
        text = "".join(" " if unicodedata.category(ch).startswith(("P", "S")) else ch for ch in text)
    return " ".join(text.split())


def tokenize(text: str, config: PreprocessConfig) -> list[str]:
    """Clean and split one text into tokens, dropping stop words if asked.

    Examples
    --------
    >>> tokenize("Call me NOW!", PreprocessConfig())
    ['call', 'me', 'now', '!']
    >>> tokenize("好 吃", PreprocessConfig(tokenizer="char"))
    ['好', '吃']
    """
    cleaned = clean(text, config)
    if config.tokenizer == "char":
        tokens = [ch for ch in cleaned if not ch.isspace()]
    else:
        tokens = _WORD.findall(cleaned)
    if config.remove_stopwords:
        tokens = [token for token in tokens if not _is_stop_word(token)]
    return tokens


def _is_stop_word(token: str) -> bool:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return token.lower() in ENGLISH_STOP_WORDS or token in CHINESE_STOP_WORDS


def suggest_length(token_counts, percentile: int = LENGTH_PERCENTILE) -> int:
    """Padding length: the given percentile of token counts, within [MIN_LENGTH, MAX_LENGTH_CAP]."""
    if len(token_counts) == 0:
        return MIN_LENGTH
    value = int(np.ceil(np.percentile(np.asarray(token_counts), percentile)))
    return int(min(MAX_LENGTH_CAP, max(MIN_LENGTH, value)))


@dataclass
class Vocabulary:
    """Token ↔ id mapping. Id 0 is padding, 1 is ``[UNK]``; real tokens start at 2."""

    tokens: list[str] = field(default_factory=list)

    def __post_init__(self):
        self._index = {token: i + 2 for i, token in enumerate(self.tokens)}

    def __len__(self) -> int:
        """Size including the padding and ``[UNK]`` ids (the Embedding's input_dim)."""
        return len(self.tokens) + 2

    @classmethod
    def build(cls, token_lists, max_vocab: int, min_count: int = 1) -> "Vocabulary":
        """The ``max_vocab`` most frequent tokens seen at least ``min_count`` times (ties by first appearance)."""
        counts = Counter()
        for tokens in token_lists:
            counts.update(tokens)
        kept = [token for token, n in counts.most_common() if n >= min_count][: max(0, max_vocab - 2)]
        return cls(kept)

    def encode(self, tokens, length: int | None = None) -> list[int]:
        """Ids of ``tokens``, cut to ``length``; never empty (an empty text is one ``[UNK]``),
        so the model always sees at least one real step."""
        index = self._index
        ids = [index.get(token, OOV_ID) for token in tokens[:length]]
        return ids or [OOV_ID]

    def to_dict(self) -> dict:
        return {"tokens": self.tokens}

    @classmethod
    def from_dict(cls, data: dict) -> "Vocabulary":
        return cls(list(data["tokens"]))


def pad(sequences, length: int | None = None) -> np.ndarray:
    """Right-pad (and cut) id lists into an int32 matrix; ``length`` defaults to the longest.

    Right padding keeps Keras masking exact and the LSTM eligible for the cuDNN kernel.
    """
    sequences = list(sequences)
    if length is None:
        length = max((len(seq) for seq in sequences), default=1)
    length = max(1, length)
    matrix = np.zeros((len(sequences), length), dtype=np.int32)
    for row, seq in enumerate(sequences):
        seq = seq[:length]
        matrix[row, : len(seq)] = seq
    return matrix


@dataclass
class TextStats:
    """What the Preprocess page shows about a data set under one config."""

    token_counts: list[int]
    suggested_length: int
    vocabulary_size: int
    distinct_tokens: int
    oov_share: float
    truncated_share: float


def text_stats(token_lists, config: PreprocessConfig) -> TextStats:
    """Token counts, suggested padding length, vocabulary size and the share of tokens that
    fall outside the vocabulary (rarer than ``min_count`` or beyond ``max_vocab``)."""
    token_lists = list(token_lists)
    counts = [len(tokens) for tokens in token_lists]
    vocabulary = Vocabulary.build(token_lists, config.max_vocab, config.min_count)
    total = sum(counts)
    known = vocabulary._index
    oov = sum(1 for tokens in token_lists for token in tokens if token not in known)
    distinct = len({token for tokens in token_lists for token in tokens})
    length = config.max_length or suggest_length(counts)
    truncated = sum(1 for n in counts if n > length)
    return TextStats(
        token_counts=counts,
        suggested_length=length,
        vocabulary_size=len(vocabulary),
        distinct_tokens=distinct,
        oov_share=oov / total if total else 0.0,
        truncated_share=truncated / len(counts) if counts else 0.0,
    )
