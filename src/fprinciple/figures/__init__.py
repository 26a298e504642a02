"""What every experiment's figure (``experiments/<id>/figure.py``, ``figure(metrics, cfg)``)
shares: one style (``style``), which writes the experiment's claim rows under it
(``style.claim_verdicts``), so a figure draws and labels data and never words a verdict of its
own; modules starting with "_" hold panels a family's figures share. Imports the analysis side
only (never torch or the trainer), so a figure reruns on a figure edit and nothing else."""

from __future__ import annotations

import pandas as pd


def first_net(metrics: pd.DataFrame) -> pd.DataFrame:
    """The rows of the one net a figure draws in full: the first run's first seed (a job may
    train several seeds)."""
    run = metrics[metrics["run"] == metrics["run"].min()]
    return run[run["seed"] == run["seed"].min()]
