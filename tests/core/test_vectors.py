"""Word vectors: learned from texts (gensim FastText) or read from files in every common format,
streamed, keeping only the words asked for; a network started from them."""

import gzip

import numpy as np
import pytest

from core.base.errors import UserError
from core.models.vectors import WordVectors, learn_vectors, read_vectors, write_vectors
from core.text import Vocabulary

WORDS = ["good", "bad", "room", "staff", "酒店", "干净", "very good"]


@pytest.fixture
def vectors():
    rng = np.random.default_rng(0)
    return WordVectors(WORDS, rng.normal(size=(len(WORDS), 8)).astype(np.float32), "test")


@pytest.mark.parametrize("name, binary, header", [
    ("w2v.txt", False, True), ("glove.txt", False, False), ("wiki.vec", False, True), ("w2v.bin", True, True),
    ("w2v.txt.gz", False, True), ("glove.txt.gz", False, False), ("w2v.bin.gz", True, True),
])
def test_every_format_reads_back_the_kept_words(tmp_path, vectors, name, binary, header):
    if binary:   # word2vec binary ends a word at a space: such words are written with "_"
        vectors = WordVectors([word.replace(" ", "_") for word in vectors.words], vectors.matrix, "test")
    path = write_vectors(vectors, tmp_path / name, binary=binary, header=header)
    if name.endswith(".gz"):
        assert gzip.decompress(path.read_bytes())
    keep = {"good", "酒店", "very_good" if binary else "very good", "absent"}
    read = read_vectors(path, keep)
    assert set(read.words) == keep - {"absent"} and read.dim == 8 and read.source == name
    for word in read.words:
        np.testing.assert_allclose(read.matrix[read.words.index(word)], vectors.matrix[vectors.words.index(word)],
                                   atol=1e-5)


def test_a_file_in_no_known_format_or_for_other_words_is_refused(tmp_path, vectors):
    (tmp_path / "notes.txt").write_text("these are my notes\nnot vectors at all\n")
    with pytest.raises(UserError) as error:
        read_vectors(tmp_path / "notes.txt", {"these", "not"})
    assert error.value.key == "err.vectors_format"
    path = write_vectors(vectors, tmp_path / "w2v.txt")
    with pytest.raises(UserError) as error:
        read_vectors(path, {f"word{i}" for i in range(100)} | {"good"})
    assert error.value.key == "err.vectors_coverage" and "1.0%" in str(error.value)


def test_embedding_rows_follow_the_vocabulary(vectors):
    vocabulary = Vocabulary(["room", "unseen", "good"])
    weights = vectors.embedding(vocabulary, seed=1)
    assert weights.shape == (5, 8) and not weights[0].any()                # padding
    np.testing.assert_array_equal(weights[2], vectors.matrix[WORDS.index("room")])
    np.testing.assert_array_equal(weights[4], vectors.matrix[WORDS.index("good")])
    assert weights[3].any() and vectors.coverage(vocabulary.tokens) == pytest.approx(2 / 3)


def test_vectors_learned_from_texts_put_words_used_alike_close():
    rng = np.random.default_rng(0)
    texts = []
    for _ in range(600):
        texts.append(["the", "room", rng.choice(["clean", "tidy"]), "and", "staff", rng.choice(["kind", "friendly"])])
        texts.append(["the", "food", rng.choice(["cold", "stale"]), "and", "service", rng.choice(["slow", "rude"])])
    seen = []
    vectors = learn_vectors(texts, dim=16, epochs=3, progress=lambda epoch, epochs: seen.append((epoch, epochs)))
    assert seen[-1] == (3, 3) and vectors.dim == 16 and {"clean", "tidy", "cold"} <= set(vectors.words)

    def similarity(a, b):
        x, y = (vectors.matrix[vectors.words.index(word)] for word in (a, b))
        return float(x @ y / np.linalg.norm(x) / np.linalg.norm(y))

    assert similarity("clean", "tidy") > similarity("clean", "cold")
    with pytest.raises(UserError):
        learn_vectors([[], []])


def test_a_network_started_from_vectors_saves_reloads_and_predicts_the_same(tmp_path):
    from core.base.config import ModelConfig, TrainConfig
    from core.models.bundle import Bundle
    from core.text import PreprocessConfig, tokenize
    from core.training.train import train
    from tests.core.conftest import small_sample

    data = small_sample(rows=300)
    unlabelled = ["free prize call now", "are you coming to dinner later", "winner claim your cash"] * 30
    tokens = [tokenize(text, PreprocessConfig()) for text in data.texts + unlabelled]
    vectors = learn_vectors(tokens, dim=12, epochs=2)
    result = train(data, PreprocessConfig(), ModelConfig(embedding_dim=16, lstm_units=8), TrainConfig(epochs=1, seed=3),
                   vectors=vectors, unlabelled_tokens=tokens[len(data.texts):])
    bundle = result.bundle
    assert bundle.settings["model"]["embedding_dim"] == 12          # the embedding takes the vectors' size
    assert bundle.settings["vectors"]["source"] == "learned" and bundle.settings["vectors"]["coverage"] > 0.5
    assert "winner" in bundle.vocabulary.tokens or "claim" in bundle.vocabulary.tokens   # words from unlabelled texts
    bundle.save(tmp_path / "b")
    texts = ["free prize now", "see you at dinner"]
    np.testing.assert_allclose(Bundle.load(tmp_path / "b").predict_proba(texts), bundle.predict_proba(texts), atol=1e-6)


def test_learned_vectors_are_kept_per_texts_and_tokenizer_and_reused(tmp_path):
    from core.models.vectors import vectors_for
    from core.text import PreprocessConfig

    texts = ["the room was clean", "the staff were kind", "a dirty room", "kind staff and a clean room"] * 20
    calls = []
    first, unlabelled_tokens = vectors_for("learn", texts[:40], texts[40:], PreprocessConfig(), tmp_path,
                                           lambda done, total, left: calls.append((done, total)))
    assert calls[-1] == (5, 5) and len(unlabelled_tokens) == 40 and first.source == "learned"
    again, _ = vectors_for("learn", texts[:40], texts[40:], PreprocessConfig(), tmp_path,
                           lambda *args: calls.append("learned again"))
    assert "learned again" not in calls and again.source.startswith("learned (kept")
    assert again.words == first.words
    np.testing.assert_array_equal(again.matrix, first.matrix)
    # Another tokenizer (characters) learns anew, beside the first.
    other, _ = vectors_for("learn", texts[:40], texts[40:], PreprocessConfig(tokenizer="char"), tmp_path)
    assert other.source == "learned" and len([p for p in tmp_path.iterdir() if p.is_dir()]) == 2


def test_a_vectors_file_shows_its_coverage_and_an_upload_is_kept_under_a_safe_name(tmp_path, vectors):
    from core.models.vectors import file_coverage, keep_upload
    from core.text import PreprocessConfig

    path = keep_upload(tmp_path / "uploads", write_vectors(vectors, tmp_path / "w.vec").read_bytes(), "../my vecs.vec")
    assert path.parent == tmp_path / "uploads" and path.name == "my_vecs.vec"
    coverage = file_coverage(path, ["good room", "bad staff today"], PreprocessConfig())
    assert coverage == {"share": pytest.approx(4 / 5), "words": 4, "dim": 8}
    with pytest.raises(UserError) as error:
        file_coverage(path, ["nothing here matches at all"], PreprocessConfig())
    assert error.value.key == "err.vectors_coverage"


def test_the_same_texts_give_the_same_vectors_in_another_process():
    """gensim seeds word vectors with a hash of the word; Python's own hash differs per process."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    script = ("from core.models.vectors import learn_vectors\n"
              "t = [['good', 'room'], ['bad', 'room', 'staff'], ['good', 'staff']] * 40\n"
              "print(learn_vectors(t, dim=6, epochs=1).matrix[:2].round(6).tolist())\n")
    runs = {subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                           env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout for seed in ("1", "2")}
    assert len(runs) == 1 and "[[" in runs.pop()
