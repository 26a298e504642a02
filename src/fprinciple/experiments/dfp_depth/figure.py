"""XZ20 fig. 1: steps to a fixed training loss against the number of hidden layers (left) and,
for one fixed net, against the target's frequency (middle); every seed drawn, the mean joined.
Right: the training loss relative to mean(y²) of each depth (first seed), the level dotted."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ...figures import style
from . import DEPTH, FREQUENCY, target_name
from .claims import steps_to_threshold


def _steps_panel(ax, table: pd.DataFrame, axis: str, cfg: dict) -> None:
    reached = table[table["steps"].notna()]
    ax.scatter(reached[axis], reached["steps"], s=10, color="0.55", zorder=2, label="each seed")
    means = table.groupby(axis)["steps"].agg(["mean", "count", lambda s: s.notna().sum()])
    means.columns = ["mean", "runs", "reached"]
    full = means[means["reached"] == means["runs"]]
    ax.plot(full.index, full["mean"], "o-", color=style.OUTPUT, lw=1.6, label="mean over seeds")
    for value, row in means[means["reached"] < means["runs"]].iterrows():
        ax.annotate(
            f"{int(row['reached'])}/{int(row['runs'])} reached",
            (value, cfg["steps"]),
            fontsize="x-small",
            ha="center",
            color="#d62728",
        )
    ax.set(yscale="log", ylabel=f"steps to MSE/mean(y²) < {cfg['relative_loss_threshold']:g}")
    ax.set_xticks(sorted(table[axis].unique()))


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    table = steps_to_threshold(metrics, cfg)
    fig, (depth_ax, freq_ax, loss_ax) = plt.subplots(1, 3, figsize=(12.5, 3.7), layout="constrained")
    _steps_panel(depth_ax, table[table["sweep"] == DEPTH], "depth", cfg)
    depth_ax.set(
        xlabel="hidden layers", title=f"{target_name(cfg['depth_sweep']['frequencies'])}, width {cfg['width']}"
    )
    depth_ax.legend(frameon=False, fontsize="small")
    _steps_panel(freq_ax, table[table["sweep"] == FREQUENCY], "frequency", cfg)
    freq_ax.set(xlabel="k of the target cos(kx)", title=f"{cfg['frequency_sweep']['depth']} hidden layers")

    first_seed = metrics["seed"].min()
    runs = metrics[(metrics["sweep"] == DEPTH) & (metrics["seed"] == first_seed)]
    energy = runs[runs["metric"] == "target_energy"].groupby("depth")["value"].first()
    depths = sorted(runs["depth"].unique())
    for depth, color in zip(depths, sns.color_palette("Blues", len(depths) + 1)[1:]):
        loss = runs[(runs["metric"] == "train_loss") & (runs["depth"] == depth)].sort_values("step")
        ax_steps = np.maximum(loss["step"].to_numpy(), 1)
        loss_ax.plot(
            ax_steps,
            loss["value"] / energy.loc[depth],
            color=color,
            lw=1.3,
            label=f"{depth} layer{'s' if depth > 1 else ''}",
        )
    loss_ax.axhline(cfg["relative_loss_threshold"], color="black", ls=":", lw=1)
    loss_ax.set(
        xscale="log", yscale="log", xlabel="step", ylabel="MSE / mean(y²)", title=f"training loss (seed {first_seed})"
    )
    loss_ax.legend(frameon=False, fontsize="x-small")
    style.despine(fig)
    return fig
