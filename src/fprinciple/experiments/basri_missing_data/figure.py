"""BJKK19 fig. 1, right: what the net puts into the gap, for both bias initialisations."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ...figures import first_net, style
from ...figures._circle import curve, missing_data_panel


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    w, k = cfg["gap_half_width"], cfg["frequency"]
    if "hidden_bias" in metrics.columns:
        order = [b for b in ("normal", "zeros") if b in set(metrics["hidden_bias"])]
        groups = [(b, metrics[metrics["hidden_bias"] == b]) for b in order]
    else:
        groups = [("", metrics)]
    titles = {
        "normal": "hidden biases ~ N(0, 1/(3·fan_in)) at init (the suite's extension)",
        "zeros": "hidden biases zero at init (the authors' run: the paper's figure)",
    }
    fig = plt.figure(figsize=(11, 3.1 * len(groups) + 0.4), layout="constrained")
    grid = fig.add_gridspec(len(groups), 2, width_ratios=[2.8, 1])
    loss_ax = fig.add_subplot(grid[:, 1])
    for row, (bias, group) in enumerate(groups):
        run = first_net(group)
        ax = fig.add_subplot(grid[row, 0])
        missing_data_panel(ax, run, w, k, titles.get(bias, f"fitting sin {k}θ with a gap of {np.degrees(2 * w):.0f}°"))
        if row == len(groups) - 1:
            ax.set_xlabel("θ")
        if row == 0:
            fig.legend(
                *ax.get_legend_handles_labels(), loc="outside upper center", ncol=6, frameon=False, fontsize="small"
            )
        loss = run[run["metric"] == "train_loss"].sort_values("step")
        zero_loss = 0.5 * np.sum(curve(run, "target")[1] ** 2)
        loss_ax.plot(
            loss["step"].clip(lower=1),
            loss["value"] / zero_loss,
            color=style.OUTPUT,
            ls="-" if row == 0 else "--",
            label=f"biases {bias}" if bias else None,
        )
    loss_ax.set(xscale="log", yscale="log", xlabel="step", ylabel="loss / loss(f = 0)", title="training loss")
    if len(groups) > 1:
        loss_ax.legend(frameon=False, fontsize="small")
    style.despine(fig)
    return fig
