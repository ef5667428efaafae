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
