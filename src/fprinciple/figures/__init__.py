"""Seaborn figures: module ``figures/<id>.py`` draws experiment ``<id>`` with ``figure(metrics,
cfg)`` from its aggregated metrics (the trained network's rows), in one shared style
(``style``). Modules starting with "_" hold helpers shared by a family's figures."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def get(experiment: str) -> Callable:
    try:
        module = importlib.import_module(f"{__name__}.{experiment}")
    except ModuleNotFoundError as err:
        if err.name != f"{__name__}.{experiment}":
            raise
        raise ValueError(f"no figure for experiment {experiment!r}: add src/fprinciple/figures/{experiment}.py") from err
    return module.figure
