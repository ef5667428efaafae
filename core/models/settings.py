"""Every training setting a user can change, defined once.

A :class:`Setting` says which configuration field it sets (:class:`core.base.config.ModelConfig`,
:class:`core.base.config.TrainConfig`, or the padding length of :class:`core.text.PreprocessConfig`),
its type, the range and steps the Train page offers, its value in each preset, its label and
help in the message catalog, and its command-line flag. The Train page draws its Advanced panel
from :data:`SETTINGS`, ``python -m core train`` builds its options from it, the diagnosis and
the model card name settings through it, and :func:`plan_run` turns a preset and the user's
changes into the configurations of a run. Adding a knob is one entry here, its two catalog keys
(``train.<short>`` and ``train.<short>_help``) and the code that uses it.

Nothing here imports TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from difflib import get_close_matches

from core.base.config import (
    BATCH_SIZES,
    CLASS_WEIGHTS,
    L2_STEPS,
    LEARNING_RATES,
    OPTIMIZERS,
    RNNS,
    SCHEDULES,
    ModelConfig,
    TrainConfig,
)
from core.base.errors import UserError
from core.text import MAX_LENGTH_CAP, PreprocessConfig

PRESETS = ("fast", "balanced", "accurate")
DEFAULT_PRESET = "balanced"   # what the Train page and `python -m core train` start from
FAST_LENGTH = 128   # the Fast preset cuts texts to this many tokens
SMALL_ROWS = 3000   # Balanced adds dropout below this many texts …
FEW_ROWS = 5000     # … and uses LSTM 64 with batch 32 below this many


@dataclass(frozen=True)
class DataProfile:
    """What the presets look at: rows, classes, tokens per text, class balance."""

    rows: int
    classes: int
    mean_tokens: float
    length: int          # the padding length the app would choose (95th percentile, capped)
    class_weight: str    # "balanced" for imbalanced data, else "none"


@dataclass(frozen=True)
class Setting:
    """One knob of a training run.

    Attributes
    ----------
    name : str
        The field it sets in its configuration (``section``).
    section : {"model", "train", "preprocess"}
    kind : {"int", "float", "bool", "choice", "flag"}
        ``flag``: a two-valued string field shown as an on/off switch (``on`` / ``off``), e.g.
        ``class_weight`` "balanced" / "none".
    short : str
        Its short name: the catalog keys ``train.<short>`` (label) and ``train.<short>_help``,
        the Train page's widget key ``train_<short>`` and the flag ``--<short>``.
    widget : {"number", "slider", "select_slider", "toggle", "radio"} or None
        How the Advanced panel shows it; ``None``: not on the page (command line only).
    column : int
        The Advanced panel's column (0–2).
    low, high, step : number
        The range the page offers (the configuration itself may accept more).
    steps : tuple
        The steps of a select slider.
    choices : tuple
        The values of a ``choice``.
    on, off : str
        The two values of a ``flag``.
    switch : str
        For ``early_stopping_patience``: the short name of the on/off switch shown beside it (off
        means 0); changes are then described by the switch.
    zero_off : bool
        0 means "off" (shown so).
    presets : dict
        Preset name → value, or a function of a :class:`DataProfile`; a preset not named keeps
        the configuration's default.
    cli : bool
        Whether ``python -m core train`` has a ``--<short>`` option for it.
    """

    name: str
    section: str
    kind: str
    short: str
    widget: str | None = None
    column: int = 0
    low: float | None = None
    high: float | None = None
    step: float | None = None
    steps: tuple = ()
    choices: tuple = ()
    on: str = ""
    off: str = ""
    switch: str = ""
    zero_off: bool = False
    presets: dict = field(default_factory=dict)
    cli: bool = True

    @property
    def label(self) -> str:
        """Catalog key of its label."""
        return f"train.{self.short}"

    @property
    def help(self) -> str:
        """Catalog key of its help."""
        return f"train.{self.short}_help"

    @property
    def key(self) -> str:
        """The Train page's widget key."""
        return f"train_{self.short}"

    @property
    def flag(self) -> str:
        """Its command-line option."""
        return "--" + self.short.replace("_", "-")

    def default(self):
        """The configuration's default value."""
        config = {"model": ModelConfig, "train": TrainConfig, "preprocess": PreprocessConfig}[self.section]
        return config.__dataclass_fields__[self.name].default

    def preset_value(self, preset: str, data: DataProfile):
        """Its value in ``preset`` for ``data``."""
        value = self.presets.get(preset, self.default())
        return value(data) if callable(value) else value

    # -- the page's widget holds a plain value; a flag is shown as a switch -------------------

    def to_widget(self, value):
        """The widget's value for a setting's value (a flag → True/False; a patience of 0 → 1,
        its switch shows it is off)."""
        if self.kind == "flag":
            return value == self.on
        if self.switch:
            return max(1, int(value))
        return value

    def from_widget(self, value, switched_on: bool = True):
        """The setting's value for a widget's value (``switched_on``: the switch, if it has one)."""
        if self.kind == "flag":
            return self.on if value else self.off
        if self.switch and not switched_on:
            return 0
        return self.parse(value)

    def parse(self, value):
        """``value`` as this setting's type (a number typed as text, "on"/"off" for a switch)."""
        if self.kind == "int":
            return int(value)
        if self.kind == "float":
            return float(value)
        if self.kind == "bool":
            return value in (True, "on", "true", "1", 1) if isinstance(value, (str, int)) else bool(value)
        return value

    def cli_value(self, value) -> str:
        """``value`` as its command-line option takes it (on/off for a switch)."""
        if self.kind == "bool":
            return "on" if value else "off"
        return str(value)

    def describe(self, value) -> tuple[str, object]:
        """``(catalog key of the label, value as shown)`` for a changed setting: on/off for
        switches and flags (as catalog keys ``app.on``/``app.off``), the value otherwise."""
        if self.switch:
            return f"train.{self.switch}", "app.on" if value else "app.off"
        if self.kind == "flag":
            return self.label, "app.on" if value == self.on else "app.off"
        if self.kind == "bool":
            return self.label, "app.on" if value else "app.off"
        if self.zero_off and value == 0:
            return self.label, "app.off"
        return self.label, value


def _few(data: DataProfile) -> bool:
    return data.rows < FEW_ROWS


def _weights(data: DataProfile) -> str:
    return data.class_weight


# The Advanced panel, column by column, top to bottom. The presets:
# * fast — GRU 64 on texts cut to 128 tokens, 4 epochs, larger steps (learning rate 0.003);
# * balanced — the recipe: embedding 128, LSTM 128 with batch 64 on 5,000+ texts, else LSTM 64
#   with batch 32 (more dropout below 3,000), max pooling, learning rate 0.002, up to 10 epochs
#   with early stopping. On ag_news batch 64 at 0.002 matched batch 32 at 0.001 (0.8434 test
#   accuracy) in 47 s instead of 74 s; on sms_spam LSTM 64 at 0.002 reached 0.9896 (LSTM 128 at
#   0.001: 0.9884, means of 7 seeds) in 17 s instead of 25 s (bench/run.py);
# * accurate — bidirectional LSTM, more dropout, up to 15 epochs with a learning-rate schedule
#   and patience 3.
# All use the suggested class weights.
SETTINGS: tuple[Setting, ...] = (
    Setting("rnn", "model", "choice", "rnn", "radio", 0, choices=RNNS, presets={"fast": "gru"}),
    Setting("embedding_dim", "model", "int", "embedding_dim", "number", 0, 8, 512, 8,
            presets={"fast": 64, "balanced": 128, "accurate": 128}),
    Setting("lstm_units", "model", "int", "lstm_units", "number", 0, 8, 512, 8,
            presets={"fast": 64, "balanced": lambda data: 64 if _few(data) else 128, "accurate": 128}),
    Setting("layers", "model", "int", "layers", "slider", 0, 1, 3, 1),
    Setting("bidirectional", "model", "bool", "bidirectional", "toggle", 0, presets={"accurate": True}),
    Setting("token_pairs", "model", "bool", "token_pairs", "toggle", 0),
    Setting("conv_filters", "model", "int", "conv_filters", "number", 0, 0, 512, 16, zero_off=True),
    Setting("dense_units", "model", "int", "dense_units", "number", 0, 0, 512, 16, zero_off=True),
    Setting("dropout_rate", "model", "float", "dropout", "slider", 1, 0.0, 0.7, 0.05,
            presets={"fast": 0.2, "balanced": lambda data: 0.3 if data.rows < SMALL_ROWS else 0.2, "accurate": 0.3}),
    Setting("l2", "model", "float", "l2", "select_slider", 1, steps=L2_STEPS, zero_off=True),
    Setting("epochs", "train", "int", "epochs", "number", 1, 1, 100, 1,
            presets={"fast": 4, "balanced": 10, "accurate": 15}),
    Setting("batch_size", "train", "int", "batch_size", "select_slider", 1, steps=BATCH_SIZES,
            presets={"fast": lambda data: 32 if _few(data) else 64, "balanced": lambda data: 32 if _few(data) else 64,
                     "accurate": 32}),
    Setting("early_stopping_patience", "train", "int", "patience", "number", 1, 1, 20, 1, switch="early_stopping",
            presets={"fast": 1, "balanced": 2, "accurate": 3}),
    Setting("restore_best", "train", "bool", "restore_best", "toggle", 1),
    Setting("checkpoint", "train", "bool", "checkpoint", "toggle", 1),
    Setting("optimizer", "train", "choice", "optimizer", "radio", 2, choices=OPTIMIZERS),
    Setting("learning_rate", "train", "float", "learning_rate", "select_slider", 2, steps=LEARNING_RATES,
            presets={"fast": 0.003, "balanced": 0.002, "accurate": 0.001}),
    Setting("lr_schedule", "train", "flag", "lr_schedule", "toggle", 2, choices=SCHEDULES, on="plateau", off="none",
            presets={"accurate": "plateau"}),
    Setting("class_weight", "train", "flag", "class_weight", "toggle", 2, choices=CLASS_WEIGHTS, on="balanced",
            off="none", presets={name: _weights for name in PRESETS}),
    Setting("validation_share", "train", "float", "validation_share", "slider", 2, 0.05, 0.3, 0.05),
    Setting("max_length", "preprocess", "int", "max_length", "number", 2, 4, 2000, 1,
            presets={"fast": lambda data: min(data.length, FAST_LENGTH), "balanced": lambda data: data.length,
                     "accurate": lambda data: min(MAX_LENGTH_CAP, data.length)}),
    Setting("seed", "train", "int", "seed", "number", 2, 0, 2**31 - 1, 1),
    Setting("test_share", "train", "float", "test_share", None),
    Setting("freeze_embedding", "model", "bool", "freeze_vectors", None),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}


def setting(name: str) -> Setting:
    """The setting called ``name``.

    Raises
    ------
    UserError
        ``err.unknown_setting`` for a name that is no setting (a typo must not pass unnoticed).

    Examples
    --------
    >>> setting("learning_rate").flag
    '--learning-rate'
    """
    if name not in BY_NAME:
        close = get_close_matches(str(name), list(BY_NAME), n=1, cutoff=0.5)
        raise UserError("err.unknown_setting", name=str(name), close=f"'{close[0]}'" if close else "–")
    return BY_NAME[name]


@dataclass(frozen=True)
class RunPlan:
    """The configurations of one run: the network, its fitting and its preprocessing (with the
    padding length resolved)."""

    model: ModelConfig
    train: TrainConfig
    preprocess: PreprocessConfig

    def values(self) -> dict:
        """Every setting's value in this plan, by name."""
        configs = {"model": self.model, "train": self.train, "preprocess": self.preprocess}
        return {s.name: getattr(configs[s.section], s.name) for s in SETTINGS}


def preset_values(preset: str, data: DataProfile) -> dict:
    """Every setting's value in ``preset`` for ``data``, by name.

    Examples
    --------
    >>> data = DataProfile(rows=40_000, classes=4, mean_tokens=40, length=80, class_weight="none")
    >>> values = preset_values("balanced", data)
    >>> values["lstm_units"], values["batch_size"], values["max_length"]
    (128, 64, 80)
    """
    if preset not in PRESETS:
        raise UserError("err.bad_setting", name="preset", value=preset, allowed=", ".join(PRESETS))
    return {s.name: s.preset_value(preset, data) for s in SETTINGS}


def plan_run(base: dict, overrides: dict | None = None, preprocess: PreprocessConfig | None = None) -> RunPlan:
    """The configurations of a run: ``base`` (a preset's :func:`preset_values`, or a saved
    run's :meth:`RunPlan.values`) changed by ``overrides`` (setting name → value), on top of
    ``preprocess`` (the Preprocess page's choices; its padding length is the plan's).

    Used by the Train page, ``python -m core train`` and the benchmarks alike.

    Raises
    ------
    UserError
        ``err.unknown_setting`` for a name in ``overrides`` that is no setting, and
        ``err.bad_setting`` for a value its configuration refuses.

    Examples
    --------
    >>> data = DataProfile(rows=2_000, classes=2, mean_tokens=20, length=40, class_weight="balanced")
    >>> plan = plan_run(preset_values("fast", data), {"epochs": 2})
    >>> plan.model.rnn, plan.train.epochs, plan.train.class_weight, plan.preprocess.max_length
    ('gru', 2, 'balanced', 40)
    >>> plan_run(preset_values("fast", data), {"epoch": 2})
    Traceback (most recent call last):
    ...
    core.base.errors.UserError: There is no setting 'epoch'. Did you mean 'epochs'? (all settings: 'python -m core train --help')
    """
    values = dict(base)
    for name, value in (overrides or {}).items():
        values[name] = setting(name).parse(value) if value is not None else value
    sections: dict[str, dict] = {"model": {}, "train": {}, "preprocess": {}}
    for name, value in values.items():
        if value is not None or setting(name).section == "preprocess":
            sections[setting(name).section][name] = value
    return RunPlan(model=ModelConfig(**sections["model"]), train=TrainConfig(**sections["train"]),
                   preprocess=replace(preprocess or PreprocessConfig(), **sections["preprocess"]))


def run_values(request: dict) -> dict:
    """Every setting's value in a run's request (``{"model", "train", "max_length"}`` as
    :func:`core.training.jobs.start_training` records it), by name: what a page that finds the run going
    shows, rather than its own defaults.

    Examples
    --------
    >>> values = run_values({"model": {"lstm_units": 16}, "train": {"epochs": 60}, "max_length": 40})
    >>> values["lstm_units"], values["epochs"], values["max_length"]
    (16, 60, 40)
    """
    plan = RunPlan(model=ModelConfig.from_dict(request.get("model") or {}),
                   train=TrainConfig.from_dict(request.get("train") or {}),
                   preprocess=PreprocessConfig(max_length=request.get("max_length")))
    return {name: value for name, value in plan.values().items() if value is not None}


def cli_settings() -> list[Setting]:
    """The settings ``python -m core train`` takes as options."""
    return [s for s in SETTINGS if s.cli]


def page_settings(column: int | None = None) -> list[Setting]:
    """The settings the Train page shows (in ``column``, if given), in order."""
    return [s for s in SETTINGS if s.widget and (column is None or s.column == column)]
