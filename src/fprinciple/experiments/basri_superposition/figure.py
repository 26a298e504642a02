"""BJKK19 fig. 2: the fit of sin 4θ + sin 14θ over training and its two components."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ...figures import first_net, style
from ...figures._circle import COMPONENT_COLORS, curve, pi_ticks
from ...targets.sphere import sine, unit_norm
from .claims import fitted_steps


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    run = first_net(metrics)
    theta, y = curve(run, "target")
    ks, target_coefficients = curve(run, "target_coefficient", 0)
    steps = sorted(run[run["metric"] == "output"]["step"].unique())
    last = int(run["step"].max())
    fraction = cfg["claims"]["fraction"]

    fig = plt.figure(figsize=(2.9 * len(steps), 6.4), layout="constrained")
    grid = fig.add_gridspec(2, len(steps), height_ratios=[1, 0.9])
    limit = 1.25 * np.abs(y).max()
    for col, step in enumerate(steps):
        ax = fig.add_subplot(grid[0, col])
        f = curve(run, "output", step)[1]
        ax.plot(theta, y, color=style.TARGET, lw=1, label="target", zorder=2)
        ax.plot(theta, f, color=style.OUTPUT, lw=2, label="DNN output", zorder=3)
        for k, color in zip(ks, COMPONENT_COLORS):
            u = unit_norm(sine(theta, k))
            ax.plot(theta, (u @ f) * u, "--", color=color, lw=1.1, label=f"⟨f, u_k⟩ u_k, k = {int(k)}", zorder=1)
        title = f"step {step}" + (" (final)" if step == last else "")
        ax.set(title=title, xlabel="θ", ylim=(-limit, limit))
        pi_ticks(ax)
        if col == 0:
            ax.set_ylabel("f(θ)")
        else:
            ax.tick_params(labelleft=False)
    fig.legend(
        *fig.axes[0].get_legend_handles_labels(),
        loc="outside upper center",
        ncol=2 + len(ks),
        frameon=False,
        fontsize="small",
    )

    ax = fig.add_subplot(grid[1, :])
    coefficients = run[(run["metric"] == "coefficient") & (run["step"] > 0)]
    fitted = fitted_steps(run, fraction).set_index("k")["fitted_at"]
    for k, target, color in zip(ks, target_coefficients, COMPONENT_COLORS):
        history = coefficients[coefficients["key"] == k].sort_values("step")
        ax.plot(history["step"], history["value"] / target, color=color, lw=1.8, label=f"k = {int(k)}")
        if np.isfinite(fitted.get(int(k), np.nan)):
            ax.axvline(fitted[int(k)], color=color, lw=0.8, ls=":")
    ax.axhline(fraction, color="grey", lw=0.8, ls="--", label=f"{fraction:g} of the target's coefficient")
    ax.set(
        xscale="log",
        xlabel="step",
        ylabel="⟨f, u_k⟩ / ⟨y, u_k⟩",
        title="fitted fraction of each component (dotted: the step from which it stays above the line)",
    )
    ax.legend(frameon=True, framealpha=0.9, edgecolor="none", fontsize="small", loc="lower right")
    style.despine(fig)
    return fig
