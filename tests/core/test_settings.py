"""Every training setting defined once (core.models.settings): the presets, the Train page, the command
line and the model card all read the same table, and a misspelled setting is an error."""

import subprocess
import sys
from dataclasses import replace

import pytest

from core.base.config import ModelConfig, TrainConfig
from core.base.errors import UserError
from core.base.i18n import MESSAGES
from core.cli import build_parser
from core.models.settings import (
    PRESETS,
    SETTINGS,
    DataProfile,
    cli_settings,
    page_settings,
    plan_run,
    preset_values,
    setting,
)
from core.text import PreprocessConfig
from core.training.presets import choose
from tests.conftest import ROOT

SMALL = DataProfile(rows=2_500, classes=2, mean_tokens=18, length=40, class_weight="balanced")
LARGE = DataProfile(rows=40_000, classes=4, mean_tokens=40, length=80, class_weight="none")


def test_each_setting_names_a_real_field_with_labels_in_both_languages():
    fields = {"model": ModelConfig.__dataclass_fields__, "train": TrainConfig.__dataclass_fields__,
              "preprocess": PreprocessConfig.__dataclass_fields__}
    assert len({s.name for s in SETTINGS}) == len(SETTINGS) and len({s.short for s in SETTINGS}) == len(SETTINGS)
    for knob in SETTINGS:
        assert knob.name in fields[knob.section], knob.name
        for key in (knob.label, knob.help) + ((f"train.{knob.switch}", f"train.{knob.switch}_help") if knob.switch else ()):
            assert set(MESSAGES[key]) == {"en", "zh"}, key
        for value in knob.choices if knob.widget == "radio" else ():
            assert f"train.{knob.short}_{value}" in MESSAGES, (knob.name, value)


def test_the_presets_come_from_the_table_as_before():
    """The values the presets had before the table (core.training.presets.choose, fixed by benchmarks)."""
    small, large = choose(SMALL), choose(LARGE)
    assert (small["balanced"].model.lstm_units, small["balanced"].model.dropout_rate, small["balanced"].train.batch_size,
            small["balanced"].train.learning_rate) == (64, 0.3, 32, 0.002)
    assert (large["balanced"].model.lstm_units, large["balanced"].model.dropout_rate,
            large["balanced"].train.batch_size) == (128, 0.2, 64)
    fast, accurate = large["fast"], large["accurate"]
    assert (fast.model.rnn, fast.model.embedding_dim, fast.train.epochs, fast.train.learning_rate,
            fast.train.early_stopping_patience, fast.max_length) == ("gru", 64, 4, 0.003, 1, 80)
    assert (accurate.model.bidirectional, accurate.train.epochs, accurate.train.lr_schedule,
            accurate.train.batch_size, accurate.train.early_stopping_patience) == (True, 15, "plateau", 32, 3)
    assert all(preset.train.class_weight == "balanced" for preset in small.values())
    assert choose(replace(SMALL, length=300))["fast"].max_length == 128


def test_plan_run_applies_changes_and_refuses_an_unknown_name():
    plan = plan_run(preset_values("balanced", SMALL), {"epochs": "3", "token_pairs": "on", "max_length": 50},
                    PreprocessConfig(tokenizer="char"))
    assert (plan.train.epochs, plan.model.token_pairs, plan.preprocess.max_length, plan.preprocess.tokenizer) == \
        (3, True, 50, "char")
    assert plan.values()["epochs"] == 3 and plan_run(plan.values(), preprocess=plan.preprocess) == plan   # round trip
    with pytest.raises(UserError, match="There is no setting 'lerning_rate'. Did you mean 'learning_rate'"):
        plan_run(preset_values("fast", SMALL), {"lerning_rate": 0.003})
    with pytest.raises(UserError, match="Setting 'dropout_rate' cannot be 0.95"):
        plan_run(preset_values("fast", SMALL), {"dropout_rate": 0.95})
    with pytest.raises(TypeError):      # configs change through dataclasses.replace: a typo raises
        replace(TrainConfig(), lerning_rate=0.1)


def test_widgets_show_values_and_give_them_back():
    flag, patience, l2 = setting("class_weight"), setting("early_stopping_patience"), setting("l2")
    assert flag.to_widget("balanced") is True and flag.from_widget(False) == "none"
    assert patience.to_widget(0) == 1 and patience.from_widget(4, switched_on=False) == 0
    assert patience.from_widget(4) == 4
    assert patience.describe(2) == ("train.early_stopping", "app.on")
    assert l2.describe(0.0) == ("train.l2", "app.off") and l2.describe(0.001) == ("train.l2", 0.001)


def test_the_command_line_has_an_option_for_every_setting():
    parser = build_parser()
    train = next(action for action in parser._subparsers._group_actions[0].choices.values() if action.prog.endswith("train"))
    flags = {option for action in train._actions for option in action.option_strings}
    assert {knob.flag for knob in cli_settings()} <= flags
    args = parser.parse_args(["train", "x.csv", "--out", "m", "--dropout", "0.4", "--class-weight", "none",
                              "--patience", "0", "--bidirectional", "on"])
    overrides = {knob.name: getattr(args, knob.short) for knob in cli_settings() if getattr(args, knob.short) is not None}
    plan = plan_run(preset_values("balanced", SMALL), overrides)
    assert (plan.model.dropout_rate, plan.train.class_weight, plan.train.early_stopping_patience,
            plan.model.bidirectional) == (0.4, "none", 0, True)


def test_every_page_setting_is_on_the_page_and_every_preset_is_known():
    assert [knob.column for knob in page_settings()] == sorted(knob.column for knob in page_settings())
    page = (ROOT / "pages" / "train.py").read_text(encoding="utf-8")
    assert "page_settings(" in page and "plan_run(" in page
    assert set(PRESETS) == {"fast", "balanced", "accurate"}
    with pytest.raises(UserError):
        preset_values("huge", SMALL)


def test_reading_a_configuration_does_not_import_tensorflow():
    code = ("import sys; import core.base.config, core.models.settings, core.training.presets, core.training.memory, core.training.batching, core.data.dataset; "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
