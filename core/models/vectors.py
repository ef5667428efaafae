"""Word vectors: learned from all of a user's texts (labelled and unlabelled), or read from a file
of pretrained vectors, to start the network's Embedding from.

A network that learns what its words mean from a few thousand labels alone rarely beats word
counts; vectors learned from far more text than was labelled carry what the labels cannot. They
go into the Embedding's initial weights, so a bundle stays self-contained: nothing else is needed
to predict.

* :func:`learn_vectors` — gensim's FastText (skip-gram with character n-grams, so rare and
  misspelt words get a vector from their pieces) on the same tokens the model reads.
* :func:`read_vectors` — word2vec text (a header line), GloVe text (none), fastText ``.vec``
  (word2vec text), word2vec binary; each optionally gzipped. Read as a stream that keeps only
  the words asked for, so a file of millions of words fits in memory.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import shutil
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.base import fence
from core.base.deployment import value
from core.base.errors import UserError
from core.base.files import staged, write_bytes
from core.text import tokenize

LEARN_DIM = 128          # the size of learned vectors (the Balanced embedding's)
LEARN_EPOCHS = 5
LEARN_MIN_COUNT = 2
MIN_COVERAGE = 0.05      # a vectors file covering fewer of the vocabulary's words is refused
# Bounds on reading a vectors file (a hostile one must not run the reader out of memory or time):
MAX_LINE_BYTES = 2**20   # one word and its numbers (300 numbers are ~3 KB)
MAX_WORD_BYTES = 1000    # a word of a binary file
MAX_DIM = 4096           # numbers per word (the embedding widths this app uses stay at 1,024)
MAX_GZIP_RATIO = 16      # vectors text packs ~3-4×: a gzip that unpacks 16× its size is a bomb
MAX_SKIPPED_LINES = 10_000   # lines that hold no vector (blank, one field) before the file is refused


@dataclass
class WordVectors:
    """Vectors by word. ``source``: "learned" or the file's name; ``seconds``: what making them took."""

    words: list[str]
    matrix: np.ndarray          # float32, one row per word
    source: str = "learned"
    seconds: float = 0.0
    _index: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._index = {word: row for row, word in enumerate(self.words)}

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    def __contains__(self, word) -> bool:
        return word in self._index

    def coverage(self, tokens) -> float:
        """Share (0–1) of ``tokens`` (a vocabulary's) that have a vector."""
        tokens = list(tokens)
        return sum(token in self._index for token in tokens) / max(1, len(tokens))

    def embedding(self, vocabulary, seed: int = 42) -> np.ndarray:
        """Initial Embedding weights for ``vocabulary`` (``core.text.Vocabulary``): each token's
        vector where there is one, else a small random vector of the same spread; zeros for
        padding."""
        rng = np.random.default_rng(seed)
        scale = float(self.matrix.std()) or 0.1
        weights = rng.normal(0.0, scale, size=(len(vocabulary), self.dim)).astype(np.float32)
        weights[0] = 0.0
        for offset, token in enumerate(vocabulary.tokens):
            row = self._index.get(token)
            if row is not None:
                weights[offset + 2] = self.matrix[row]
        return weights


def learn_vectors(token_lists, dim: int = LEARN_DIM, epochs: int = LEARN_EPOCHS, min_count: int = LEARN_MIN_COUNT,
                  seed: int = 42, progress=None) -> WordVectors:
    """Vectors for every token seen ``min_count`` times in ``token_lists`` (gensim FastText,
    skip-gram, window 5). ``progress(epoch, epochs)`` is called after each pass."""
    # lazy: gensim is needed only to learn word vectors (~1 s to load)
    from gensim.models import FastText
    from gensim.models.callbacks import CallbackAny2Vec

    sentences = [list(tokens) for tokens in token_lists if tokens]
    if not sentences:
        raise UserError("err.vectors_no_text")

    class Report(CallbackAny2Vec):
        epoch = 0

        def on_epoch_end(self, model):
            self.epoch += 1
            if progress is not None:
                progress(self.epoch, epochs)

    started = time.perf_counter()
    # gensim seeds each word's first vector with hashfxn(word + seed); Python's own hash() changes
    # from one process to the next, so the same texts gave other vectors (and ±1 point of accuracy).
    model = FastText(sentences, vector_size=dim, window=5, min_count=min_count, sg=1, epochs=epochs, seed=seed,
                     workers=2, min_n=1, max_n=4, callbacks=[Report()], hashfxn=_stable_hash)
    words = list(model.wv.index_to_key)
    matrix = np.asarray(model.wv.vectors, dtype=np.float32)
    return WordVectors(words, matrix, "learned", time.perf_counter() - started)


def _stable_hash(text: str) -> int:
    """The same number for the same text in every process (gensim's seeding hash)."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


class _Bounded(io.RawIOBase):
    """A gzip stream that refuses to unpack more than ``limit`` bytes (a 10 MB gzip of 10 GB
    of zeros is refused after 160 MB, not read to the end)."""

    def __init__(self, stream, limit: int, name: str):
        self.stream, self.limit, self.name, self.read_bytes = stream, limit, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        self.read_bytes += len(data)
        if self.read_bytes > self.limit:
            raise UserError("err.vectors_bomb", name=self.name, mb=f"{self.limit / 2**20:,.0f}", ratio=MAX_GZIP_RATIO)
        buffer[:len(data)] = data
        return len(data)

    def close(self):
        self.stream.close()
        super().close()


def _open_text(path: Path):
    raw = path.open("rb")
    head = raw.read(2)
    raw.seek(0)
    if head != b"\x1f\x8b":
        return raw
    limit = max(64 * 2**20, MAX_GZIP_RATIO * path.stat().st_size)
    return io.BufferedReader(_Bounded(gzip.open(raw), limit, path.name), buffer_size=2**20)


def _lines(first: bytes, stream, name: str, header: bool):
    """The lines of a text vectors file, each at most :data:`MAX_LINE_BYTES` long."""
    if not header:
        yield first
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES:
            raise UserError("err.vectors_line", name=name, kb=MAX_LINE_BYTES // 1024)
        yield line


def read_vectors(path, keep) -> WordVectors:
    """The vectors of the words in ``keep`` from a file: word2vec text (first line
    ``count dim``), GloVe text (no header), fastText ``.vec``, or word2vec binary; gzipped or
    not. Streamed line by line: only the kept words' vectors are held.

    Raises
    ------
    UserError
        ``err.vectors_format`` for a file in none of these formats, ``err.vectors_coverage``
        when it has a vector for fewer than 5 % of ``keep``.
    """
    path = Path(path)
    keep = set(keep)
    started = time.perf_counter()
    with _open_text(path) as stream:
        first = stream.readline(MAX_LINE_BYTES + 1)
        if len(first) > MAX_LINE_BYTES:
            raise UserError("err.vectors_line", name=path.name, kb=MAX_LINE_BYTES // 1024)
        binary = _looks_binary_header(first, stream)
        stream_words, rows = (_read_binary if binary else _read_text)(first, stream, keep, path.name)
    if not rows:
        raise UserError("err.vectors_coverage", name=path.name, share="0.0%", minimum=f"{MIN_COVERAGE:.0%}")
    vectors = WordVectors(stream_words, np.asarray(rows, dtype=np.float32), path.name, time.perf_counter() - started)
    share = len(stream_words) / max(1, len(keep))
    if share < MIN_COVERAGE:
        raise UserError("err.vectors_coverage", name=path.name, share=f"{share:.1%}", minimum=f"{MIN_COVERAGE:.0%}")
    return vectors


def _header(line: bytes):
    parts = line.split()
    if len(parts) == 2 and all(part.isdigit() for part in parts):
        return int(parts[0]), int(parts[1])
    return None


def _looks_binary_header(first: bytes, stream) -> bool:
    """A word2vec binary file: a ``count dim`` header, then words followed by raw float32s."""
    header = _header(first)
    if header is None:
        return False
    peek = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
    text = peek.split(b"\n", 1)[0]
    try:
        values = text.decode("utf-8").split()[1:]
        float(values[0]) if values else 1 / 0
        return False
    except (UnicodeDecodeError, ValueError, ZeroDivisionError, IndexError):
        return True


def _read_text(first: bytes, stream, keep: set, name: str):
    header = _header(first)
    dim = header[1] if header else None
    if dim is not None and not 0 < dim <= MAX_DIM:
        raise UserError("err.vectors_format", name=name, line=1)
    words, rows, skipped = [], [], 0
    for number, line in enumerate(_lines(first, stream, name, header is not None), start=1):
        parts = line.rstrip(b"\r\n").split(b" ")
        if len(parts) < 2:
            skipped += 1
            if skipped > MAX_SKIPPED_LINES:
                raise UserError("err.vectors_format", name=name, line=number + bool(header))
            continue
        if dim is None:
            dim = len(parts) - 1
            if dim > MAX_DIM:
                raise UserError("err.vectors_format", name=name, line=number)
        if len(parts) - 1 != dim:
            # A word with a space in it (some GloVe files) keeps its last `dim` fields as the vector.
            if len(parts) - 1 < dim:
                raise UserError("err.vectors_format", name=name, line=number + bool(header))
            parts = [b" ".join(parts[: len(parts) - dim])] + parts[len(parts) - dim:]
        try:
            word = parts[0].decode("utf-8")
        except UnicodeDecodeError:
            continue
        if word in keep:
            try:
                row = np.asarray(parts[1:], dtype=np.float32)
            except ValueError:
                raise UserError("err.vectors_format", name=name, line=number + bool(header)) from None
            _check_finite(row, name, number + bool(header))
            rows.append(row)
            words.append(word)
        elif number == 1 and not header:
            try:
                np.asarray(parts[1:], dtype=np.float32)
            except ValueError:
                raise UserError("err.vectors_format", name=name, line=1) from None
    return words, rows


def _check_finite(row: np.ndarray, name: str, line: int) -> None:
    """A vector holding NaN or infinity would make every prediction NaN: refuse the file."""
    if not np.isfinite(row).all():
        raise UserError("err.vectors_not_finite", name=name, line=line)


def _read_binary(first: bytes, stream, keep: set, name: str):
    count, dim = _header(first)
    if not 0 < dim <= MAX_DIM:
        raise UserError("err.vectors_format", name=name, line=1)
    size = 4 * dim
    words: list[str] = []
    rows: list = []
    for _ in range(count):
        word = bytearray()
        while (char := stream.read(1)) not in (b" ", b""):
            if char != b"\n":
                word += char
                if len(word) > MAX_WORD_BYTES:
                    raise UserError("err.vectors_format", name=name, line=len(words) + 2)
        if not char:
            break
        data = stream.read(size)
        if len(data) < size:
            raise UserError("err.vectors_format", name=name, line=len(words) + 2)
        try:
            text = word.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if text in keep:
            row = np.frombuffer(data, dtype="<f4").copy()
            _check_finite(row, name, len(words) + 2)
            words.append(text)
            rows.append(row)
    return words, rows


def write_vectors(vectors: WordVectors, path, binary: bool = False, header: bool = True) -> Path:
    """Write ``vectors`` as word2vec text (``header``), GloVe text (no header) or word2vec
    binary; gzipped when ``path`` ends in ``.gz`` (the tests write every format with this)."""
    path = Path(path)
    buffer = io.BytesIO()
    if binary or header:
        buffer.write(f"{len(vectors.words)} {vectors.dim}\n".encode())
    for word, row in zip(vectors.words, vectors.matrix):
        if binary:
            buffer.write(word.encode("utf-8") + b" " + np.asarray(row, dtype="<f4").tobytes() + b"\n")
        else:
            buffer.write((word + " " + " ".join(f"{value:.6f}" for value in row) + "\n").encode("utf-8"))
    data = buffer.getvalue()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


# -- where the app's vectors come from ---------------------------------------------------------

VECTOR_SUFFIXES = (".vec", ".txt", ".bin", ".w2v", ".vec.gz", ".txt.gz", ".bin.gz")
CACHE_KEEP = 4    # learned vectors kept per workspace (the newest)


def server_vectors() -> dict[str, Path]:
    """Vectors files an administrator put in ``$STUDIO_VECTORS_DIR`` (by file name), for users
    to pick by name; empty when it is not set."""
    folder = value("STUDIO_VECTORS_DIR")
    if not folder or not Path(folder).is_dir():
        return {}
    return {path.name: path for path in sorted(Path(folder).iterdir())
            if path.is_file() and path.name.lower().endswith(VECTOR_SUFFIXES)}


def cache_key(token_lists, preprocess) -> str:
    """What learned vectors depend on: the tokenizer settings and every text's tokens."""
    digest = hashlib.sha256()
    settings = {key: value for key, value in preprocess.to_dict().items() if key != "max_length"}
    digest.update(json.dumps([settings, LEARN_DIM, LEARN_EPOCHS, LEARN_MIN_COUNT], sort_keys=True,
                             ensure_ascii=False).encode())
    for tokens in token_lists:
        digest.update(("\x1f".join(tokens) + "\x1e").encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:24]


def _cached(folder: Path, key: str) -> WordVectors | None:
    try:
        words = json.loads((folder / key / "words.json").read_text(encoding="utf-8"))
        matrix = np.load(folder / key / "matrix.npy", allow_pickle=False)
    except (OSError, ValueError):
        return None
    if not isinstance(words, list) or matrix.ndim != 2 or matrix.shape[0] != len(words):
        return None
    return WordVectors([str(word) for word in words], matrix.astype(np.float32), "learned (kept from an earlier run)")


def _keep(folder: Path, key: str, vectors: WordVectors) -> None:

    target = folder / key
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with staged(target) as staging:
            (staging / "words.json").write_text(json.dumps(vectors.words, ensure_ascii=False), encoding="utf-8")
            np.save(staging / "matrix.npy", vectors.matrix)
    except OSError:
        return   # a cache that cannot be written costs the next run the time again, nothing else
    kept = sorted((path for path in folder.iterdir() if path.is_dir() and not path.name.startswith(".")),
                  key=lambda path: path.stat().st_mtime, reverse=True)
    for old in kept[CACHE_KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def vectors_for(source: str, labelled_texts, unlabelled, preprocess, cache=None, progress=None):
    """The word vectors a run starts from and the unlabelled texts' tokens:
    ``(WordVectors, unlabelled_tokens)``.

    ``source``: ``"learn"`` — learned from the labelled and the unlabelled texts with the model's
    own cleaning and tokenizer (kept in the folder ``cache``, by :func:`cache_key`, so a second
    run on the same texts and tokenizer reuses them); else the path of a vectors file
    (:func:`read_vectors`, keeping the words of those texts). ``progress(done, total,
    seconds_left)`` is called as the vectors are learned.
    """
    unlabelled_tokens = [tokenize(text, preprocess) for text in unlabelled]
    labelled_tokens = [tokenize(text, preprocess) for text in labelled_texts]
    if source != "learn":
        keep = {token for tokens in labelled_tokens + unlabelled_tokens for token in tokens}
        return read_vectors(source, keep), unlabelled_tokens
    token_lists = labelled_tokens + unlabelled_tokens
    key = cache_key(token_lists, preprocess) if cache is not None else None
    if key is not None and (found := _cached(Path(cache), key)) is not None:
        return found, unlabelled_tokens
    started = time.perf_counter()

    def report(epoch, epochs):
        if progress is not None:
            elapsed = time.perf_counter() - started
            progress(epoch, epochs, elapsed / epoch * (epochs - epoch))

    vectors = learn_vectors(token_lists, progress=report)
    if key is not None:
        _keep(Path(cache), key, vectors)
    return vectors, unlabelled_tokens


def file_coverage(path, texts, preprocess) -> dict:
    """How well a vectors file fits ``texts`` with this tokenizer: ``{"share"`` (0–1) of their
    distinct words that have a vector, ``"words"`` with one, ``"dim"}`` (the embedding size the
    network will take). What the Train page shows before a run.

    Raises
    ------
    UserError
        As :func:`read_vectors`: a file in no known format, or one covering almost none of the words.
    """
    words = sorted({token for text in texts for token in tokenize(text, preprocess)})
    # An administrator's file (STUDIO_VECTORS_DIR) may be gigabytes: it gets ten minutes, not one.
    trusted = Path(path).resolve().parent in {found.resolve().parent for found in server_vectors().values()}
    meta, _ = fence.fenced("vectors_coverage", str(path), words, seconds=600 if trusted else None)
    return meta


def fenced_coverage(path: str, words: list) -> tuple[dict, list]:
    """The fenced task of :func:`file_coverage` (runs in the child)."""
    vectors = read_vectors(path, set(words))
    return {"share": vectors.coverage(words), "words": len(vectors.words), "dim": vectors.dim}, []


def keep_upload(folder, raw: bytes, name: str) -> Path:
    """Keep an uploaded vectors file in ``folder`` (the workspace's) under a safe version of its
    name; returns its path. The newest :data:`CACHE_KEEP` uploads are kept."""

    folder = Path(folder)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).lstrip(".") or "vectors.vec"
    path = folder / safe
    folder.mkdir(parents=True, exist_ok=True)
    if not (path.is_file() and path.stat().st_size == len(raw) and path.read_bytes() == raw):
        write_bytes(path, raw)
    kept = sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for old in kept[CACHE_KEEP:]:
        old.unlink(missing_ok=True)
    return path
