"""Seed 004 figs 1.4–1.5: the step function fitted over training, in x and in frequency, and ΔF at its peaks."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from . import style
from ._fp1d import curve, delta_matrix, first_run, snapshot_steps


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    run = first_run(metrics)
    steps = snapshot_steps(run)
    fig = plt.figure(figsize=(2.6 * len(steps), 7.2), layout="constrained")
    grid = fig.add_gridspec(3, len(steps), height_ratios=[1, 1, 0.8])
    x, y = curve(run, "target")
    k, y_hat = curve(run, "target_spectrum", 0)
    peaks = delta_matrix(run)[1]
    for col, step in enumerate(steps):
        top = fig.add_subplot(grid[0, col])
        top.plot(x, y, color=style.TARGET, lw=1.2, label="target")
        top.plot(*curve(run, "output", step), color=style.OUTPUT, lw=1.5, label="DNN")
        top.set(title=f"step {step}", xlabel="x", ylabel="f(x)" if col == 0 else None)
        bottom = fig.add_subplot(grid[1, col])
        bottom.plot(k, y_hat, "--", color=style.TARGET, lw=1.2, label="target")
        bottom.plot(*curve(run, "spectrum", step), color=style.OUTPUT, lw=1.5, label="DNN")
        bottom.plot(peaks, y_hat[peaks.astype(int)], "o", mfc="none", color="black", ms=5)
        bottom.set(xlabel="frequency index k", ylabel="|FFT|" if col == 0 else None)
        if col == 0:
            top.legend(fontsize="small", frameon=False)
    heat = fig.add_subplot(grid[2, :])
    style.delta_f_heatmap(heat, *delta_matrix(run))
    heat.set_title("relative error ΔF at the target's peaks (red: fitted)")
    style.despine(fig)
    return fig
