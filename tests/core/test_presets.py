"""Presets chosen from the data, with a time estimate."""

import pytest

from core.base.config import BATCH_SIZES, LEARNING_RATES
from core.data.dataset import SAMPLES, load_dataset
from core.text import PreprocessConfig
from core.training.presets import DataProfile, choose, estimate_epoch_seconds, profile


def test_presets_follow_the_data():
    big = choose(DataProfile(rows=50_000, classes=4, mean_tokens=40, length=90, class_weight="none"))
    small = choose(DataProfile(rows=1_000, classes=2, mean_tokens=15, length=30, class_weight="balanced"))
    assert list(big) == ["fast", "balanced", "accurate"]
    assert big["fast"].model.rnn == "gru" and big["fast"].max_length == 90 and big["balanced"].max_length == 90
    assert big["balanced"].model.lstm_units == 128 and big["balanced"].train.batch_size == 64
    assert small["balanced"].model.lstm_units == 64 and small["balanced"].train.batch_size == 32
    # Below 5,000 texts (sms_spam's train.csv has 4,127) LSTM 64 learns as well as 128 in less
    # time; below 3,000 it gets more dropout.
    middle = choose(DataProfile(rows=4_000, classes=2, mean_tokens=15, length=30, class_weight="none"))
    assert (middle["balanced"].model.lstm_units, middle["balanced"].train.batch_size) == (64, 32)
    assert (small["balanced"].model.dropout_rate, middle["balanced"].model.dropout_rate) == (0.3, 0.2)
    assert {preset["balanced"].train.learning_rate for preset in (big, middle, small)} == {0.002}
    # Every preset picks steps the Train page's sliders offer.
    for presets in (big, middle, small):
        for preset in presets.values():
            assert preset.train.learning_rate in LEARNING_RATES and preset.train.batch_size in BATCH_SIZES
    assert big["accurate"].model.bidirectional and big["accurate"].train.lr_schedule == "plateau"
    assert all(preset.train.class_weight == "balanced" for preset in small.values())
    long = choose(DataProfile(rows=20_000, classes=2, mean_tokens=280, length=400, class_weight="none"))
    assert long["fast"].max_length == 128
    # More work costs more time: fast < balanced < accurate, and a longer text costs more.
    for presets in (big, small, long):
        assert presets["fast"].seconds_per_epoch < presets["balanced"].seconds_per_epoch < presets["accurate"].seconds_per_epoch
    assert long["balanced"].seconds_per_epoch > big["balanced"].seconds_per_epoch * 2
    assert big["balanced"].max_seconds == pytest.approx(big["balanced"].seconds_per_epoch * 10)


def test_profile_of_the_sample():
    dataset, _ = load_dataset(SAMPLES["sms_spam"].path)
    data = profile(dataset.texts, dataset.labels, PreprocessConfig())
    assert data.rows == 2500 and data.classes == 2 and data.class_weight == "balanced"
    assert 10 < data.mean_tokens < 30 and 20 <= data.length <= 60
    balanced = choose(data)["balanced"]
    assert balanced.max_length == data.length and balanced.train.class_weight == "balanced"
    # How close the estimate comes to a real epoch is measured in bench/, not asserted here.
    assert estimate_epoch_seconds(balanced.model, balanced.train, 2000, 20) > 0
