"""XZLXM19 (lecture notes fig. 1.3): the output at three steps over the target sin x + sin 5x and its low-frequency part."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ...figures import first_net, style
from ...figures._fp1d import curve, snapshot_steps
from ...targets.functions1d import make_target
from .claims import low_part


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    run = first_net(metrics)
    fig, ax = plt.subplots(figsize=(7.5, 3.6), layout="constrained")
    x, y = curve(run, "target")
    steps = snapshot_steps(run)
    for step, color in zip(steps, style.output_shades(len(steps))):
        ax.plot(*curve(run, "output", step), color=color, lw=2.5, label=f"DNN, step {step}")
    ax.plot(x, make_target(x, low_part(cfg["target"])), "--", color="grey", lw=1, label="low-frequency part", zorder=4)
    ax.plot(x, y, color=style.TARGET, lw=1, label="target", zorder=4)
    ax.scatter(x, y, s=5, color="black", zorder=5, label="training data")
    ax.set(xlabel="x", ylabel="f(x)", title="Fitting sin x + sin 5x: the output at three steps")
    ax.legend(fontsize="small", frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))  # off the curves
    style.despine(fig)
    return fig
