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

    def check(self, *checks) -> None:
        """Raise ``err.bad_setting`` for the first ``(field, ok, allowed)`` whose ``ok`` is false."""
        from core.errors import UserError

        for name, ok, allowed in checks:
            if not ok:
                raise UserError("err.bad_setting", name=name, value=getattr(self, name), allowed=allowed)
