"""XZX18: the ΔF heat map of the equal-amplitude target in every activation × optimizer × depth
cell, one block of rows per seed (at most ``SEEDS_SHOWN``, out-of-order ones first); the claims'
rates per optimizer are written under the figure from their rows."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ...figures import style
from ...figures._fp1d import SEEDS_SHOWN, seed_heatmap, seeds_drawn
from . import cells


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    activations, columns = cfg["activations"], cells(cfg)
    shown = min(metrics["seed"].nunique(), SEEDS_SHOWN)
    fig, axes = plt.subplots(
        len(activations),
        len(columns),
        figsize=(2.4 * len(columns), (1.3 + 0.25 * 3 * shown) * len(activations)),
        layout="constrained",
        squeeze=False,
    )
    image = None
    for row, activation in enumerate(activations):
        for col, (optimizer, depth) in enumerate(columns):
            cell = metrics[
                (metrics["activation"] == activation)
                & (metrics["optimizer"] == optimizer)
                & (metrics["depth"] == depth)
            ]
            ax = axes[row, col]
            if cell.empty:
                ax.set_axis_off()
                continue
            image, _ = seed_heatmap(ax, cell, cfg, colorbar=False, labels=col == 0)
            ax.set_title(f"{activation} · {optimizer} · depth {depth}", fontsize="small")
            ax.tick_params(labelsize="x-small")
            if row < len(activations) - 1:
                ax.set_xlabel(None)
    if image is not None:
        fig.colorbar(image, ax=axes, label="ΔF (red: fitted)", shrink=0.6)
    fig.suptitle(
        f"ΔF at the target's peaks in every cell, per seed ({seeds_drawn(sorted(metrics['seed'].unique()))}; "
        "ticks: converged)",
        fontsize="medium",
    )
    return fig
