"""MXZ21 (lecture notes §1.6): ΔF at the three peaks of sin x + sin 3x + sin 5x under each
non-gradient-descent optimizer, one heat-map block per seed, against the optimizer's own clock."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ...figures import style
from ...figures._fp1d import SEEDS_SHOWN, seed_heatmap, seeds_drawn
from . import LABELS, clock, model_of


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    methods = [m for m in cfg["methods"] if m in set(metrics["method"])]
    shown = min(metrics["seed"].nunique(), SEEDS_SHOWN)
    fig, axes = plt.subplots(
        len(methods), 1, figsize=(9, (1.0 + 0.32 * 3 * shown) * len(methods) + 0.6), layout="constrained", squeeze=False
    )
    for ax, method in zip(axes[:, 0], methods):
        rows = metrics[metrics["method"] == method]
        image, seeds = seed_heatmap(ax, rows, cfg, colorbar=False)
        settings = cfg["methods"][method]
        model = model_of(cfg, method)
        net = "-".join(map(str, [1, *model["hidden"], 1]))
        ax.set_title(f"{LABELS[method]}, tanh {net} ({seeds_drawn(seeds)})", fontsize="medium")
        ax.set_xlabel(
            "objective evaluations (best so far)"
            if clock(settings) == "evaluations"
            else ("swarm iterations" if method == "pso" else "iterations")
        )
        # Low peaks converge within the first few percent of the run: a log scale past the start.
        first = rows.loc[rows["step"] > 0, "step"].min()
        ax.set_xscale("symlog", linthresh=10 * first)
    fig.colorbar(image, ax=axes[:, 0].tolist(), label="ΔF (relative error)", shrink=0.6)
    fig.suptitle(
        "sin x + sin 3x + sin 5x without gradient descent: ΔF at the peaks (ticks: converged)", fontsize="medium"
    )
    style.despine(fig)
    return fig
