"""XZX18 (lecture notes figs. 1.4–1.5): the step function fitted over training (first seed), in x and in
frequency, and ΔF at its peaks for every seed."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ...figures import first_net, style
from ...figures._fp1d import SEEDS_SHOWN, curve, peaks, seed_heatmap, seeds_drawn, snapshot_steps


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    run = first_net(metrics)
    steps = snapshot_steps(run)
    shown = min(metrics["seed"].nunique(), SEEDS_SHOWN)
    fig = plt.figure(figsize=(2.6 * len(steps), 6.4 + 0.3 * 3 * shown), layout="constrained")
    grid = fig.add_gridspec(3, len(steps), height_ratios=[1, 1, 0.4 + 0.12 * 3 * shown])
    x, y = curve(run, "target")
    k, y_hat = curve(run, "target_spectrum", 0)
    at = peaks(run)
    for col, step in enumerate(steps):
        top = fig.add_subplot(grid[0, col])
        top.plot(x, y, color=style.TARGET, lw=1.2, label="target")
        top.plot(*curve(run, "output", step), color=style.OUTPUT, lw=1.5, label="DNN")
        top.set(title=f"step {step}", xlabel="x", ylabel="f(x)" if col == 0 else None)
        bottom = fig.add_subplot(grid[1, col])
        bottom.plot(k, y_hat, "--", color=style.TARGET, lw=1.2, label="target")
        bottom.plot(*curve(run, "spectrum", step), color=style.OUTPUT, lw=1.5, label="DNN")
        bottom.plot(at, y_hat[at.astype(int)], "o", mfc="none", color="black", ms=5)
        bottom.set(xlabel="frequency index k", ylabel="|FFT|" if col == 0 else None)
        if col == 0:
            top.legend(fontsize="small", frameon=False)
    heat = fig.add_subplot(grid[2, :])
    _, seeds = seed_heatmap(heat, metrics, cfg)
    heat.set_title(
        f"relative error ΔF at the target's peaks, per seed ({seeds_drawn(seeds)}; red: fitted; ticks: converged)"
    )
    style.despine(fig)
    return fig
