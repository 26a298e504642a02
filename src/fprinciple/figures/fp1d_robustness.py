"""XZX18: the ΔF heat map of the equal-amplitude target in every activation × optimizer × depth
cell, one block of rows per seed (at most ``SEEDS_SHOWN``, failing ones first); each cell's title
gives its rate over every seed, in red where any seed breaks the order."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ..experiments.fp1d_robustness import cells
from . import style
from ._fp1d import SEEDS_SHOWN, seed_heatmap


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    activations, columns = cfg["activations"], cells(cfg)
    shown = min(metrics["seed"].nunique(), SEEDS_SHOWN)
    fig, axes = plt.subplots(
        len(activations), len(columns), figsize=(2.4 * len(columns), (1.3 + 0.25 * 3 * shown) * len(activations)),
        layout="constrained", squeeze=False,
    )
    image = None
    for row, activation in enumerate(activations):
        for col, (optimizer, depth) in enumerate(columns):
            cell = metrics[(metrics["activation"] == activation) & (metrics["optimizer"] == optimizer) & (metrics["depth"] == depth)]
            ax = axes[row, col]
            if cell.empty:
                ax.set_axis_off()
                continue
            image, seeds, failing = seed_heatmap(ax, cell, cfg, colorbar=False, labels=col == 0)
            title = f"{activation} · {optimizer} · depth {depth}\norder holds in {len(seeds) - len(failing)}/{len(seeds)} seeds"
            if failing:
                title += f"\nfails: seed {', '.join(map(str, failing))}"
            ax.set_title(title, fontsize="small", color="firebrick" if failing else "black")
            ax.tick_params(labelsize="x-small")
            if row < len(activations) - 1:
                ax.set_xlabel(None)
    if image is not None:
        fig.colorbar(image, ax=axes, label="ΔF (red: fitted)", shrink=0.6)
    return fig
