"""XZLXM19 (lecture notes fig. 1.6): the equal-amplitude target, its spectrum and the ΔF heat map at its three
peaks, one block of rows per seed with each peak's convergence step marked."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ...figures import first_net, style
from ...figures._fp1d import SEEDS_SHOWN, curve, peaks, seed_heatmap, seeds_drawn


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    run = first_net(metrics)
    shown = min(metrics["seed"].nunique(), SEEDS_SHOWN)
    fig, axes = plt.subplots(1, 3, figsize=(12, 2.6 + 0.35 * 3 * shown), layout="constrained", width_ratios=[1, 1, 1.6])
    x, y = curve(run, "target")
    axes[0].plot(x, y, color=style.TARGET)
    axes[0].set(xlabel="x", ylabel="f(x)", title="target sin x + sin 3x + sin 5x")
    k, y_hat = curve(run, "target_spectrum", 0)
    at = peaks(metrics)
    axes[1].plot(k, y_hat, color=style.TARGET)
    axes[1].plot(at, y_hat[at.astype(int)], "o", mfc="none", color="black", ms=6, label="peaks")
    axes[1].set(xlabel="frequency index k", ylabel="|FFT|", title="target spectrum")
    axes[1].legend(frameon=False)
    _, seeds = seed_heatmap(axes[2], metrics, cfg)
    axes[2].set_title(f"ΔF at the peaks, per seed ({seeds_drawn(seeds)}; ticks: converged)", fontsize="medium")
    style.despine(fig)
    return fig
