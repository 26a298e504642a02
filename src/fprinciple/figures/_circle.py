"""Helpers shared by the BJKK19 fitting figures on the circle (figs. 1 and 2): missing data and superposition."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..targets.sphere import sine
from . import style

COMPONENT_COLORS = ["#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def curve(run: pd.DataFrame, name: str, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    rows = run[run["metric"] == name]
    if step is not None:
        rows = rows[rows["step"] == step]
    rows = rows.sort_values("key")
    return rows["key"].to_numpy(), rows["value"].to_numpy()


def pi_ticks(ax) -> None:
    ax.set_xticks([-np.pi, -np.pi / 2, 0, np.pi / 2, np.pi], ["−π", "−π/2", "0", "π/2", "π"])


def missing_data_panel(ax, run: pd.DataFrame, w: float, k: int, title: str) -> None:
    theta_train, y_train = curve(run, "target")
    steps = sorted(run[run["metric"] == "output"]["step"].unique())
    steps = [s for s in steps if s > 0] or steps  # the untrained output is nearly flat: no curve
    ax.axvspan(-w, w, color="0.92", zorder=0, label="gap (no training data)")
    grid, _ = curve(run, "output", steps[-1])
    ax.plot(grid, sine(grid, k), "--", color=style.TARGET, lw=1, label=f"sin {k}θ (target)", zorder=3)
    for step, color in zip(steps, style.output_shades(len(steps))):
        final = step == steps[-1]
        ax.plot(
            *curve(run, "output", step),
            color=color,
            lw=2.4 if final else 1.2,
            label="DNN, final step" if final else f"DNN, step {step}",
            zorder=4 if final else 2,
        )
    ax.scatter(theta_train, y_train, s=16, color="black", zorder=5, label="training points")
    ax.set(ylabel="f(θ)", xlim=(-np.pi, np.pi), title=f"{title}; final step {steps[-1]}")
    pi_ticks(ax)
