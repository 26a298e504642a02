"""Helpers shared by the figures of the 1-D F-Principle experiments (seed 004 figs 1.3–1.6, XZX18)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def metric(metrics: pd.DataFrame, name: str) -> pd.DataFrame:
    return metrics[metrics["metric"] == name]


def first_run(metrics: pd.DataFrame) -> pd.DataFrame:
    return metrics[metrics["run"] == sorted(metrics["run"].unique())[0]]


def curve(metrics: pd.DataFrame, name: str, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    rows = metric(metrics, name)
    if step is not None:
        rows = rows[rows["step"] == step]
    rows = rows.sort_values("key")
    return rows["key"].to_numpy(), rows["value"].to_numpy()


def delta_matrix(metrics: pd.DataFrame):
    """ΔF as (steps, peaks, matrix[step, peak]), averaged over the runs given."""
    table = metric(metrics, "delta_f").pivot_table(index="step", columns="key", values="value", aggfunc="mean")
    return table.index.to_numpy(), table.columns.to_numpy(), table.to_numpy()


def snapshot_steps(run: pd.DataFrame) -> list[int]:
    return sorted(metric(run, "output")["step"].unique())

