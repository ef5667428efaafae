"""Preprocessing: clean a text, split it into tokens, map tokens to ids.

One :class:`PreprocessConfig` decides everything, so the same raw text always becomes the same
ids — at training time, in a saved bundle and in the CLI.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from core.base.config import JsonConfig
from core.base.errors import UserError

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
# A word: a CJK character on its own (Chinese has no spaces), a number (2999.5), a run of other
# letters/digits (with inner apostrophes, as in "don't"), or a single symbol.
_WORD = re.compile(rf"[{CJK}]|\d+(?:[.,]\d+)+|[^\W{CJK}]+(?:'[^\W{CJK}]+)*|[^\w\s]")
_CJK_RUN = re.compile(f"([{CJK}]+)")
# Full-width ASCII forms (ＡＢＣ１２３，！) and the ideographic space → their half-width forms.
FULL_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
# Emoji and pictographs, flags, dingbats, joiners and variation selectors, and the private-use
# code points old phones used for emoji (e.g. U+E415 in Chinese shopping reviews).
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\U0001F1E6-\U0001F1FF\u2600-\u27BF\u2B00-\u2BFF"
                    "\uFE0E\uFE0F\u200D\u20E3\uE000-\uF8FF]")
TOKENIZERS = ("word", "char", "jieba")
MAX_USER_WORDS = 10_000
MAX_STOP_WORDS = 20_000


@dataclass(frozen=True)
class PreprocessConfig(JsonConfig):
    """How raw text becomes tokens. Round-trips through JSON with ``to_dict``/``from_dict``.

    Attributes
    ----------
    lowercase, strip_punctuation, strip_numbers, strip_urls, remove_stopwords : bool
        Cleaning steps, applied in that order.
    tokenizer : {"word", "char", "jieba"}
        ``word`` splits on spaces and punctuation (each Chinese character is its own token);
        ``char`` makes every non-space character a token; ``jieba`` segments Chinese into
        words (rjieba, the Rust port of jieba) and splits other scripts like ``word``.
    user_words : tuple of str
        Domain words the Chinese segmenter must keep whole (``jieba`` only).
    full_width : bool
        Full-width letters, digits and punctuation (ＡＢＣ１２３，) → half-width (ABC123,).
    to_simplified : bool
        Traditional → Simplified Chinese (OpenCC ``t2s``).
    strip_emoji : bool
        Remove emoji, pictographs and the private-use "emoji" of old phones.
    decode_entities : bool
        The common HTML entities (``&lt; &gt; &amp; &quot; &apos; &#39; &nbsp;``) → their
        characters, first of all steps (``&lt;3`` → ``<3``); the same fixed list inside an exported graph.
    stop_words : tuple of str or None
        The stop-word list ``remove_stopwords`` uses; ``None`` means the built-in lists
        (scikit-learn's English and stopwords-iso's Chinese, see :func:`default_stop_words`).
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
    # Added for Chinese; the defaults keep bundles saved before them working as they did.
    full_width: bool = False
    to_simplified: bool = False
    strip_emoji: bool = False
    user_words: tuple = ()
    stop_words: tuple | None = None
    decode_entities: bool = False

    def __post_init__(self):
        # JSON gives lists; keep tuples so the config stays hashable (segmenters are cached by it).
        object.__setattr__(self, "user_words", _word_list(self.user_words, MAX_USER_WORDS, "user_words"))
        if self.stop_words is not None:
            object.__setattr__(self, "stop_words", _word_list(self.stop_words, MAX_STOP_WORDS, "stop_words"))
        if self.tokenizer not in TOKENIZERS:
            raise UserError("err.bad_setting", name="tokenizer", value=self.tokenizer, allowed=", ".join(TOKENIZERS))
        if self.max_vocab < 10:
            raise UserError("err.bad_setting", name="max_vocab", value=self.max_vocab, allowed=">= 10")
        if self.min_count < 1:
            raise UserError("err.bad_setting", name="min_count", value=self.min_count, allowed=">= 1")
        if self.max_length is not None and not 1 <= self.max_length <= 5000:
            raise UserError("err.bad_setting", name="max_length", value=self.max_length, allowed="1 … 5000")



def _word_list(words, limit: int, name: str) -> tuple:
    if isinstance(words, str):
        words = words.splitlines()
    cleaned = tuple(dict.fromkeys(word.strip() for word in words if word and word.strip()))
    if len(cleaned) > limit:
        raise UserError("err.bad_setting", name=name, value=f"{len(cleaned)} words", allowed=f"<= {limit}")
    return cleaned


def parse_word_list(text: str) -> tuple:
    """One word per line (a user dictionary or a stop-word list typed or pasted by the user);
    blank lines and surrounding spaces ignored, duplicates dropped, order kept."""
    return _word_list(text.splitlines(), max(MAX_USER_WORDS, MAX_STOP_WORDS), "words")


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


def auto_tokenizer(texts) -> str:
    """The tokenizer the app picks by script: ``jieba`` (Chinese words) when most texts are
    Chinese, else ``word``."""
    return "jieba" if chinese_share(texts) > 0.5 else "word"


# Decoded in this order (``&amp;`` last, so ``&amp;lt;`` becomes ``&lt;`` as with html.unescape).
ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&#39;", "'"), ("&nbsp;", " "),
            ("&amp;", "&"))
_ENTITY = re.compile("|".join(re.escape(entity) for entity, _ in ENTITIES))


def decode_entities(text: str) -> str:
    """The common HTML entities of :data:`ENTITIES` → their characters.

    Examples
    --------
    >>> decode_entities("I &lt;3 fish &amp; chips &amp;lt;")
    'I <3 fish & chips &lt;'
    """
    if "&" not in text:
        return text
    for entity, character in ENTITIES:
        text = text.replace(entity, character)
    return text


def has_entities(texts) -> bool:
    """Whether HTML entities stand in enough of ``texts`` (at least 3, or 1 % of them) for the
    app to decode them by default."""
    texts = list(texts)[:5000]
    found = sum(1 for text in texts if _ENTITY.search(text))
    return found >= max(1, min(3, len(texts) // 100))


def default_config(texts) -> PreprocessConfig:
    """The settings the app starts from: the automatic tokenizer (see :func:`auto_tokenizer`);
    for Chinese also full-width → half-width and emoji removal; HTML entities decoded when the
    texts hold them (the SMS sample's ``&lt;#&gt;``)."""
    texts = list(texts)
    tokenizer = auto_tokenizer(texts)
    chinese = tokenizer == "jieba"
    return PreprocessConfig(tokenizer=tokenizer, full_width=chinese, strip_emoji=chinese,
                            decode_entities=has_entities(texts))


@lru_cache(maxsize=1)
def _t2s():
    # lazy: the Chinese converter loads only when traditional→simplified is on
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese with OpenCC (``這家飯店很乾淨`` → ``这家饭店很干净``)."""
    return _t2s().convert(text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def mend_surrogates(text: str) -> str:
    """Lone UTF-16 surrogates (which no file can hold, but a pasted string can) → U+FFFD, and a
    split surrogate pair → its character; the segmenter (Rust) and every encoder refuse them.

    Examples
    --------
    >>> mend_surrogates("ok\\ud800") == "ok\\ufffd", mend_surrogates("\\ud83d\\ude00") == "\\U0001f600"
    (True, True)
    """
    if _SURROGATE.search(text):
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def clean(text: str, config: PreprocessConfig) -> str:
    """Apply the cleaning steps of ``config`` to one text (tokenization not included).

    Order: lone UTF-16 surrogates (which no file can hold, but a pasted string can) → U+FFFD,
    Unicode NFC, HTML entities, full-width → half-width, Traditional → Simplified, lower case, web addresses,
    emoji, numbers, punctuation (Chinese punctuation such as ，。！？《》 included); runs of
    spaces become one.
    """
    text = unicodedata.normalize("NFC", mend_surrogates(text))
    if config.decode_entities:
        text = decode_entities(text)
    if config.full_width:
        text = text.translate(FULL_WIDTH)
    if config.to_simplified:
        text = to_simplified(text)
    if config.lowercase:
        text = text.lower()
    if config.strip_urls:
        text = _URL.sub(" ", text)
    if config.strip_emoji:
        text = _EMOJI.sub(" ", text)
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
    elif config.tokenizer == "jieba":
        cut = segmenter(config.user_words).cut
        tokens = []
        # Chinese runs go to the segmenter; the rest (English, numbers, symbols) splits as
        # with "word", so "don't" and "2999.5" stay whole.
        for index, piece in enumerate(_CJK_RUN.split(cleaned)):
            if index % 2:
                tokens.extend(cut(piece))
            elif piece:
                tokens.extend(_WORD.findall(piece))
    else:
        tokens = _WORD.findall(cleaned)
    if config.remove_stopwords:
        stop = stop_word_set(config.stop_words)
        tokens = [token for token in tokens if token.lower() not in stop]
    return tokens


_SEGMENTER_LOCK = threading.Lock()


@lru_cache(maxsize=16)
def segmenter(user_words: tuple = ()):
    """The Chinese word segmenter (rjieba), with ``user_words`` kept whole. Built once per
    process and word list: the dictionary is not loaded per request.

    rjieba, the Rust port of jieba, gives the same words as jieba on 98.7 % of the 62,695
    online_shopping_10_cats texts and segments about 15× faster (bench/chinese.py: 7.3 vs 0.46 MB/s).
    """
    # lazy: the Chinese segmenter loads only when word segmentation is on
    import rjieba

    with _SEGMENTER_LOCK:
        instance = rjieba.Jieba()
        for word in user_words:
            instance.add_word(word, None, None)
    return instance


@lru_cache(maxsize=1)
def default_stop_words() -> tuple:
    """The built-in stop words: scikit-learn's English list and stopwords-iso's Chinese list."""
    # lazy: the stop-word lists load only when stop words are removed
    import stopwordsiso
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return tuple(sorted(ENGLISH_STOP_WORDS)) + tuple(sorted(stopwordsiso.stopwords("zh")))


@lru_cache(maxsize=8)
def stop_word_set(words: tuple | None) -> frozenset:
    """The set ``remove_stopwords`` checks (lower-cased); ``None`` → :func:`default_stop_words`."""
    return frozenset(word.lower() for word in (default_stop_words() if words is None else words))


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
    def build(cls, token_lists, max_vocab: int, min_count: int = 1) -> Vocabulary:
        """The ``max_vocab`` most frequent tokens seen at least ``min_count`` times (ties by first appearance)."""
        counts: Counter = Counter()
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
    def from_dict(cls, data: dict) -> Vocabulary:
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
    # Unknown share over the ids the model gets (a rare word may become known characters).
    encoded = [vocabulary.encode(tokens) for tokens in token_lists if tokens]
    total = sum(len(ids) for ids in encoded)
    oov = sum(ids.count(OOV_ID) for ids in encoded)
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
