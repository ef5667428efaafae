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


# The steps the Train page's sliders offer, which the presets pick from and the diagnosis
# suggests (core.diagnose).
BATCH_SIZES = (8, 16, 32, 64, 128, 256)
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.002, 0.003, 0.01, 0.03, 0.1)
L2_STEPS = (0.0, 0.00001, 0.0001, 0.001, 0.01)


def steps_with(steps, value) -> tuple:
    """``steps`` with ``value`` among them, in order, so that a setting made elsewhere (the
    command line, a run's saved settings) is shown as it is instead of moved to the first step
    (what a Streamlit select slider does with a value it does not offer).

    Examples
    --------
    >>> steps_with((0.001, 0.003), 0.002)
    (0.001, 0.002, 0.003)
    >>> steps_with((32, 64), 64)
    (32, 64)
    """
    if value is None or value in steps:
        return tuple(steps)
    return tuple(sorted({*steps, value}))
