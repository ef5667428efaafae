"""Shared fixtures: paths to the bundled samples and the shared data sets, tiny settings."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STUDIO_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
ARTIFACTS = ROOT / "test-artifacts"


def shared_dataset(name: str, split: str = "train") -> Path:
    """Path of a ../shared/datasets file, or skip the test with a reason when it is absent."""
    path = SHARED / name / f"{split}.csv"
    if not path.exists():
        pytest.skip(f"{path} not found: the shared data sets are not beside this checkout")
    return path


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    # Models trained by tests go to a temporary folder, never the user's ./data.
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "studio-data"))


PROBES = ("Free entry! Win a cash prize, text WIN now", "see you at lunch tomorrow", "")


def assert_usable(bundle, texts=PROBES) -> list[str]:
    """Check that ``bundle`` answers as a model must, in ways a broken one fails (issue 28: "is
    one of the two labels" held for any model that returned at all): each row of probabilities
    is a distribution over the bundle's labels, the label is the one its decision takes from
    them, and the same texts get the same answers twice. Returns the labels."""
    import numpy as np

    texts = list(texts)
    probabilities = np.asarray(bundle.predict_proba(texts))
    assert probabilities.shape == (len(texts), len(bundle.labels))
    assert np.all(probabilities >= 0) and np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
    labels = bundle.predict(texts)
    assert labels == [bundle.labels[i] for i in bundle.decide(probabilities)]
    assert np.allclose(np.asarray(bundle.predict_proba(texts)), probabilities, atol=1e-6)
    return labels


def expected_choice(rows: dict, names, validation_texts: int) -> str:
    """Which candidate Automatic's rule keeps, from each one's validation accuracy (``rows``:
    name → ``{"val_accuracy"}``), ``names`` simplest first: a later one only when it gets at least
    ``MIN_GAIN_TEXTS`` more of the ``validation_texts`` right than the one kept so far."""
    from core.training.linear import MIN_GAIN_TEXTS

    right = {name: round(rows[name]["val_accuracy"] * validation_texts) for name in names}
    chosen = names[0]
    for name in names:
        if right[name] >= right[chosen] + MIN_GAIN_TEXTS:
            chosen = name
    return chosen
