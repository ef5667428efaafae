"""The model store: trained bundles on disk, each with its held-out test split.

Layout under the data directory (default ``./data``, or ``$STUDIO_DATA_DIR``)::

    models/<model_id>/bundle/...      the model bundle (see core.bundle)
    models/<model_id>/model.json      name, creation time, data set name
    models/<model_id>/test_split.csv  the test rows held out at training time

The test split is kept beside the bundle, not in it, so a shared bundle carries no user data.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from core.bundle import Bundle


def data_dir() -> Path:
    """The app's data directory: ``$STUDIO_DATA_DIR`` or ``./data``."""
    return Path(os.environ.get("STUDIO_DATA_DIR", "data"))


@dataclass
class ModelEntry:
    """What the models list shows about one stored model."""

    model_id: str
    name: str
    created: str
    dataset: str
    path: str

    def to_dict(self) -> dict:
        return asdict(self)


class ModelStore:
    """Stored bundles in ``root/models``."""

    def __init__(self, root=None):
        self.root = Path(root) if root is not None else data_dir()
        self.models = self.root / "models"

    def add(self, bundle: Bundle, name: str, dataset: str, test_texts=(), test_labels=()) -> ModelEntry:
        """Save ``bundle`` under a new id and return its entry."""
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:40] or "model"
        model_id = f"{stamp}-{slug}-{uuid.uuid4().hex[:6]}"
        folder = self.models / model_id
        bundle.save(folder / "bundle")
        pd.DataFrame({"text": list(test_texts), "label": list(test_labels)}).to_csv(
            folder / "test_split.csv", index=False)
        entry = ModelEntry(model_id, name, _dt.datetime.now().isoformat(timespec="seconds"), dataset,
                           str(folder / "bundle"))
        (folder / "model.json").write_text(json.dumps(entry.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        return entry

    def entry(self, model_id: str) -> ModelEntry:
        data = json.loads((self.models / model_id / "model.json").read_text(encoding="utf-8"))
        return ModelEntry(**data)

    def load(self, model_id: str) -> Bundle:
        return Bundle.load(self.models / model_id / "bundle")

    def test_split(self, model_id: str) -> pd.DataFrame:
        path = self.models / model_id / "test_split.csv"
        return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame(columns=["text", "label"])
