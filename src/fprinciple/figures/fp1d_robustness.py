"""XZX18: the ΔF heat map of the equal-amplitude target in every activation × optimizer × depth cell."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from . import style
from ._fp1d import delta_matrix


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    activations, optimizers, depths = cfg["activations"], list(cfg["optimizers"]), cfg["depths"]
    columns = [(o, d) for o in optimizers for d in depths]
    fig, axes = plt.subplots(
        len(activations), len(columns), figsize=(2.3 * len(columns), 1.9 * len(activations)),
        layout="constrained", sharey=True, squeeze=False,
    )
    for row, activation in enumerate(activations):
        for col, (optimizer, depth) in enumerate(columns):
            cell = metrics[(metrics["activation"] == activation) & (metrics["optimizer"] == optimizer) & (metrics["depth"] == depth)]
            ax = axes[row, col]
            image = style.delta_f_heatmap(ax, *delta_matrix(cell), colorbar=False)
            ax.set_title(f"{activation} · {optimizer} · depth {depth}", fontsize="small")
            ax.tick_params(labelsize="x-small")
            if row < len(activations) - 1:
                ax.set_xlabel(None)
    fig.colorbar(image, ax=axes, label="ΔF (red: fitted)", shrink=0.6)
    return fig
