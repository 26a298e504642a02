"""Seed 004 fig 1.6: the equal-amplitude target, its spectrum and the ΔF heat map at its three peaks."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from . import style
from ._fp1d import curve, delta_matrix, first_run


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    run = first_run(metrics)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), layout="constrained", width_ratios=[1, 1, 1.4])
    x, y = curve(run, "target")
    axes[0].plot(x, y, color=style.TARGET)
    axes[0].set(xlabel="x", ylabel="f(x)", title="target sin x + sin 3x + sin 5x")
    k, y_hat = curve(run, "target_spectrum", 0)
    steps, peaks, delta = delta_matrix(metrics)
    axes[1].plot(k, y_hat, color=style.TARGET)
    axes[1].plot(peaks, y_hat[peaks.astype(int)], "o", mfc="none", color="black", ms=6, label="peaks")
    axes[1].set(xlabel="frequency index k", ylabel="|FFT|", title="target spectrum")
    axes[1].legend(frameon=False)
    style.delta_f_heatmap(axes[2], steps, peaks, delta)
    axes[2].set_title(f"ΔF at the peaks (mean of {metrics['run'].nunique()} seeds)")
    style.despine(fig)
    return fig
