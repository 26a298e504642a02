"""Figure of fp_image (X18; lecture notes fig. 1.7): the photograph, the net's output at the snapshot steps,
and the error of each radial frequency band over training."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ...figures import first_net, style
from .claims import band_history, band_name, crossings


def _image(rows: pd.DataFrame) -> np.ndarray:
    """A square image from rows keyed by flat pixel index."""
    values = rows.sort_values("key")["value"].to_numpy()
    side = math.isqrt(len(values))
    return values.reshape(side, side)


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    run = first_net(metrics)
    outputs = run[run["metric"] == "output"]
    steps = sorted(outputs["step"].unique())
    panels = [("target", _image(run[run["metric"] == "target"]))]
    panels += [(f"DNN, step {step}", _image(outputs[outputs["step"] == step])) for step in steps]
    fig = plt.figure(figsize=(2.4 * len(panels), 5.6), layout="constrained")
    grid = fig.add_gridspec(2, len(panels), height_ratios=[1, 0.9])
    for col, (title, picture) in enumerate(panels):
        ax = fig.add_subplot(grid[0, col])
        ax.imshow(np.clip(picture, 0, 1), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(title)
        ax.set_axis_off()

    threshold = cfg["claims"]["threshold"]
    ax = fig.add_subplot(grid[1, :])
    edges = cfg["bands"]
    history = band_history(run)
    crossed = crossings(history, threshold, cfg["claims"]["window"]).to_numpy()[0]
    colors = sns.color_palette("viridis", len(edges))
    steps_logged = history.index.get_level_values("step")
    for band, (color, at) in enumerate(zip(colors, crossed)):
        ax.plot(steps_logged, history.iloc[:, band], color=color, lw=1.5, label=f"band {band_name(edges, band)}")
        if np.isfinite(at):
            ax.plot(at, threshold, "o", mfc="none", color=color, ms=7, mew=1.5)
    ax.axhline(threshold, color="grey", lw=1, ls=":", label=f"threshold {threshold:g}")
    final_max = cfg["claims"]["final_error_max"]
    ax.axhline(final_max, color="grey", lw=1, ls="--", label=f"finest band's final bound {final_max:g}")
    for step in steps:
        ax.axvline(step, color="lightgrey", lw=0.8, zorder=0)
    ax.set_yscale("log")
    ax.set(
        xlabel="training step",
        ylabel="relative error",
        title=(
            f"seed {int(run['seed'].iloc[0])}: relative error in each radial frequency band, mean excluded "
            "(radii in fractions of Nyquist; circles: stays below the threshold; grey lines: snapshots)"
        ),
    )
    ax.legend(fontsize="small", frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))  # off the curves
    style.despine(fig)
    return fig
