"""Figure of fp_image (seed 004 fig 1.7): the photograph, the net's output at the snapshot steps,
and the low-/high-frequency errors over training."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ..experiments.fp_image import crossings
from . import first_net, style


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
    cutoffs = cfg["cutoffs"]
    colors = sns.color_palette("deep", len(cutoffs))
    crossed = crossings(run, threshold, cfg["claims"]["window"]).set_index("cutoff")
    for cutoff, color in zip(cutoffs, colors):
        for part, dash in (("low", "-"), ("high", "--")):
            rows = run[(run["metric"] == f"e_{part}") & np.isclose(run["key"], cutoff)].sort_values("step")
            ax.plot(rows["step"], rows["value"], dash, color=color, lw=1.5, label=f"e_{part}, cutoff {cutoff:g}")
            at = crossed.loc[cutoff, f"{part}_at"] if cutoff in crossed.index else np.nan
            if np.isfinite(at):
                ax.plot(at, threshold, "o", mfc="none" if part == "high" else color, color=color, ms=6)
    ax.axhline(threshold, color="grey", lw=1, ls=":", label=f"threshold {threshold:g}")
    for step in steps:
        ax.axvline(step, color="lightgrey", lw=0.8, zorder=0)
    ax.set_yscale("log")
    ax.set(
        xlabel="training step",
        ylabel="relative error",
        title=(f"seed {int(run['seed'].iloc[0])}: error of the low- and high-frequency parts, mean excluded "
               "(radial cutoff, fraction of Nyquist; circles: stays below the threshold; grey lines: snapshots)"),
    )
    ax.legend(fontsize="small", frameon=False, ncol=len(cutoffs) + 1)
    style.despine(fig)
    return fig
