"""A tiny real model, trained once per test session on the bundled English sample."""

import pytest

from core.data.dataset import SAMPLES, DataSet, load_dataset
from core.models.model import ModelConfig
from core.text import PreprocessConfig
from core.training.train import TrainConfig, train

TINY_MODEL = ModelConfig(embedding_dim=16, lstm_units=16, dropout_rate=0.0)
TINY_TRAIN = TrainConfig(epochs=2, batch_size=32, learning_rate=0.01, seed=7)


def small_sample(name: str = "sms_spam", rows: int = 400) -> DataSet:
    dataset, _ = load_dataset(SAMPLES[name].path)
    return DataSet(dataset.texts[:rows], dataset.labels[:rows], "text", "label")


@pytest.fixture(scope="session")
def tiny_result():
    return train(small_sample(), PreprocessConfig(), TINY_MODEL, TINY_TRAIN)


@pytest.fixture(scope="session")
def tiny_chinese_result():
    """Chinese words with the built-in stop words, on the bundled Chinese sample."""
    config = PreprocessConfig(tokenizer="jieba", remove_stopwords=True, full_width=True)
    return train(small_sample("thucnews_titles", 600), config, TINY_MODEL,
                 TrainConfig(epochs=1, batch_size=32, learning_rate=0.01, seed=7))
