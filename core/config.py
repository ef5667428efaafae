"""JSON round-trips for the settings dataclasses (PreprocessConfig, ModelConfig, TrainConfig)."""

from __future__ import annotations

from dataclasses import asdict, fields


class JsonConfig:
    """Mixin for frozen dataclasses: ``to_dict`` and a ``from_dict`` that ignores unknown keys,
    so a bundle saved by a newer version with extra settings still loads."""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict):
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})
