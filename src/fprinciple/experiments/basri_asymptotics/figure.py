"""BJKK19 exponent plot: the fitted growth exponent g(d) of the exact eigenvalues, and log(1/c_{d,k}) vs log k."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ...figures import style
from . import curve_metric, degrees
from .claims import exponents, finite_k_exponent, linear_fit


def _curves(metrics: pd.DataFrame, cfg: dict) -> dict[int, pd.DataFrame]:
    """log(1/c_{d,k}) by k for the configured curve dimensions that were logged."""
    curves = {}
    for d in cfg["curve_dims"]:
        rows = metrics[metrics["metric"] == curve_metric(d)]
        if len(rows):
            curves[int(d)] = rows.groupby("key")["value"].mean().sort_index()
    return curves


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    g = exponents(metrics)
    d, values = g.index.to_numpy(dtype=float), g.to_numpy(dtype=float)
    ks = degrees(cfg)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.9), layout="constrained", width_ratios=[1.25, 1])

    grid = np.linspace(min(0.0, d.min()), d.max(), 200)
    left.plot(grid, grid + 1, ":", color="grey", lw=1.2, label="d + 1 (k → ∞)")
    left.plot(
        grid,
        finite_k_exponent(grid, ks),
        "--",
        color=style.TARGET,
        lw=1.2,
        label=f"large-k law at k ≈ {round(float(np.sqrt(ks[0] * ks[-1])))}",
    )
    slope, intercept, r2 = linear_fit(d, values)
    left.plot(grid, slope * grid + intercept, color="black", lw=0.8, alpha=0.7, label="linear fit")
    left.plot(d, values, "o", color=style.OUTPUT, ms=4, label="g(d) from the exact $c_{d,k}$")
    left.text(
        0.04,
        0.96,
        f"g(d) ≈ {slope:.3f} d + {intercept:.2f}\nR² = {r2:.5f}",
        transform=left.transAxes,
        va="top",
        ha="left",
    )
    left.set(
        xlabel="sphere dimension d (inputs on $S^d$)",
        ylabel="g(d)",
        title=f"Growth exponent of $1/c_{{d,k}} \\sim k^{{g(d)}}$, k = {ks[0]}…{ks[-1]}",
    )
    left.legend(loc="lower right", fontsize="small", frameon=False)

    curves = _curves(metrics, cfg)
    colors = style.output_shades(len(curves))
    for (dim, curve), color in zip(curves.items(), colors):
        k, y = curve.index.to_numpy(dtype=float), curve.to_numpy()
        log_k = np.log(k / k[0])
        right.plot(log_k, y - y[0], color=color, lw=2, label=f"d = {dim}: slope {g.get(float(dim), np.nan):.2f}")
    right.set(
        xlabel=f"log(k / {ks[0]})",
        ylabel=f"$\\log(c_{{d,{ks[0]}}} / c_{{d,k}})$",
        title="$\\log(1/c_{d,k})$ is a line in $\\log k$ of slope g(d)",
    )
    if curves:
        right.legend(fontsize="small", frameon=False, loc="upper left")
    style.despine(fig)
    return fig
