"""What a finished run says about itself, in words that match what happened.

The Train page's message after a run used to read "training took 0.95 s (1 epochs)" after
Automatic had trained eight epochs of a network and kept TF-IDF: it showed the kept model's fit
time and nothing of the choice. :func:`outcome` reads the run's own settings and metrics (what
the bundle holds) and says which model was kept and why (each candidate's validation accuracy),
where the time went (network, TF-IDF, the rest), and whether the epoch curves on screen are the
kept model's. Nothing here imports TensorFlow or Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.base.i18n import seconds as seconds_text
from core.base.i18n import translate
from core.models.meta import RunInfo

# What each Automatic candidate is called on the page.
CANDIDATE_KEYS = {"tfidf": "train.candidate_tfidf", "nblr": "train.candidate_nblr", "svm": "train.candidate_svm",
                  "network": "train.candidate_network", "blend": "train.candidate_blend"}
LINEAR = ("tfidf", "nblr", "svm")


@dataclass(frozen=True)
class Outcome:
    """``lines``: the finished run's message, one sentence a line; ``curves``: what the epoch
    charts show — ``"kept"`` (the kept model's), ``"candidate"`` (the network Automatic trained
    but did not keep) or ``"none"`` (no epochs: TF-IDF alone)."""

    lines: tuple
    curves: str


def outcome(settings: dict, metrics: dict, elapsed: float, stopped: bool = False, lang: str = "en",
            ready_seconds: float | None = None) -> Outcome:
    """The message of a finished run (see the module's docstring) in ``lang``. When Automatic
    had a model ready early (issue 29), a line says whether it stayed or what replaced it and by
    how much; ``ready_seconds``: when it was ready, as the page measured it (else the run's own
    figure).

    Examples
    --------
    >>> auto = {"kind": "tfidf", "auto": {"chosen": "tfidf"}}
    >>> candidates = [{"name": "tfidf", "val_accuracy": 0.996, "train_seconds": 0.9},
    ...               {"name": "network", "val_accuracy": 0.992, "train_seconds": 30.0},
    ...               {"name": "blend", "val_accuracy": 0.992, "train_seconds": 30.9}]
    >>> said = outcome(auto, {"val_accuracy": 0.996, "candidates": candidates, "epochs": 1}, 40.0)
    >>> said.lines[0]
    'Done in 40.0 s. Kept: TF-IDF + logistic regression — 99.6 % on validation; the network 99.2 %, the blend 99.2 %.'
    >>> said.curves
    'candidate'
    """
    info = RunInfo.parse(settings, metrics)
    if info.auto is not None and info.auto.chosen:
        said = _automatic(info.auto.chosen, info, elapsed, stopped, lang)
        early = _ready_line(info, lang, ready_seconds)
        return Outcome(said.lines + ((early,) if early else ()), said.curves)
    epochs = _epochs(info.epochs, lang)
    if info.kind == "tfidf":
        line = translate("train.done_tfidf", lang, total=seconds_text(elapsed), seconds=seconds_text(info.train_seconds),
                         accuracy=_percent(info.val_accuracy))
        return Outcome((line,), "none")
    key = "train.stopped" if stopped else "train.done"
    line = translate(key, lang, total=seconds_text(elapsed), seconds=seconds_text(info.train_seconds), epochs=epochs,
                     accuracy=_percent(info.val_accuracy))
    return Outcome((line,), "kept")


def _automatic(chosen: str, info: RunInfo, elapsed: float, stopped: bool, lang: str) -> Outcome:
    candidates = info.candidate
    others = [translate("train.candidate_score", lang, name=translate(CANDIDATE_KEYS[name] + "_short", lang),
                        accuracy=_percent(row.val_accuracy))
              for name, row in candidates.items() if name != chosen and name in CANDIDATE_KEYS]
    kept = translate("train.done_auto_stopped" if stopped else "train.done_auto", lang, total=seconds_text(elapsed),
                     kept=translate(CANDIDATE_KEYS.get(chosen, "train.candidate_network"), lang),
                     accuracy=_percent(info.val_accuracy), others=", ".join(others))
    network = candidates["network"].train_seconds if "network" in candidates else 0.0
    tfidf = sum(candidates[name].train_seconds for name in LINEAR if name in candidates)
    if "network" not in candidates:   # a run of the linear models alone: no epochs, no curves
        split = translate("train.time_split_linear", lang, tfidf=seconds_text(tfidf),
                          rest=seconds_text(max(0.0, elapsed - tfidf)))
        return Outcome((kept, split), "none")
    epochs = candidates["network"].epochs or info.epochs
    split = translate("train.time_split", lang, network=seconds_text(network), epochs=_epochs(epochs, lang),
                      tfidf=seconds_text(tfidf), rest=seconds_text(max(0.0, elapsed - network - tfidf)))
    return Outcome((kept, split), "candidate" if chosen in LINEAR else "kept")


def _ready_line(info: RunInfo, lang: str, ready_seconds: float | None) -> str | None:
    auto = info.auto
    if auto is None or not auto.ready or "network" not in info.candidate:
        return None
    seconds = seconds_text(ready_seconds if ready_seconds is not None else auto.ready_seconds)
    if auto.chosen == auto.ready:
        return translate("train.ready_kept", lang, seconds=seconds)
    before = auto.ready_val_accuracy or 0.0
    return translate("train.ready_replaced", lang, ready=translate(CANDIDATE_KEYS[auto.ready], lang), seconds=seconds,
                     points=f"{100 * (info.val_accuracy - before):.1f}", before=_percent(before),
                     after=_percent(info.val_accuracy))


def _percent(value: float) -> str:
    return f"{100 * float(value or 0.0):.1f} %"


def _epochs(count: int, lang: str) -> str:
    """``1 epoch`` / ``8 epochs`` (``1 轮``)."""
    return translate("train.epochs_one" if count == 1 else "train.epochs_many", lang, n=count)
