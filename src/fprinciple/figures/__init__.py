"""Seaborn figures: module ``figures/<id>.py`` draws experiment ``<id>`` with ``figure(metrics,
cfg)`` from its aggregated metrics (the trained network's rows), in one shared style
(``style``), which writes the experiment's claim rows under it (``style.claim_verdicts``): a
module draws and labels data and never words a verdict of its own. Modules starting with "_"
hold helpers shared by a family's figures."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pandas as pd


def get(experiment: str) -> Callable:
    try:
        module = importlib.import_module(f"{__name__}.{experiment}")
    except ModuleNotFoundError as err:
        if err.name != f"{__name__}.{experiment}":
            raise
        raise ValueError(
            f"no figure for experiment {experiment!r}: add src/fprinciple/figures/{experiment}.py"
        ) from err
    return module.figure


def first_net(metrics: pd.DataFrame) -> pd.DataFrame:
    """The rows of the one net a figure draws in full: the first run's first seed (a job may
    train several seeds)."""
    run = metrics[metrics["run"] == metrics["run"].min()]
    return run[run["seed"] == run["seed"].min()]
