"""Seed 004 §1.6 (MXZ21): ΔF at the three peaks of sin x + sin 3x + sin 5x under each
non-gradient-descent optimizer, one heat-map block per seed, against the optimizer's own clock."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ..claims import strictly_increasing
from ..engines.fit1d import convergence
from ..experiments.fp_nongd import LABELS, clock
from . import style
from ._fp1d import seed_heatmap


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    methods = [m for m in cfg["methods"] if m in set(metrics["method"])]
    seeds = metrics["seed"].nunique()
    fig, axes = plt.subplots(len(methods), 1, figsize=(9, (1.0 + 0.32 * 3 * seeds) * len(methods) + 0.6),
                             layout="constrained", squeeze=False)
    spectrum = cfg["spectrum"]
    for ax, method in zip(axes[:, 0], methods):
        rows = metrics[metrics["method"] == method]
        image, _ = seed_heatmap(ax, rows, cfg, colorbar=False)
        table = convergence(rows, spectrum["threshold"], spectrum["window"]).sort_values("k")
        held = sum(strictly_increasing(g["converged_at"]) for _, g in table.groupby("seed"))
        settings = cfg["methods"][method]
        model = settings.get("model", cfg["model"])
        net = "-".join(map(str, [1, *model["hidden"], 1]))
        ax.set_title(f"{LABELS[method]}, tanh {net}: lower peaks first in {held}/{table['seed'].nunique()} seeds",
                     fontsize="medium")
        ax.set_xlabel("objective evaluations (best so far)" if clock(settings) == "evaluations" else
                      ("swarm iterations" if method == "pso" else "iterations"))
        # Low peaks converge within the first few percent of the run: a log scale past the start.
        first = rows.loc[rows["step"] > 0, "step"].min()
        ax.set_xscale("symlog", linthresh=10 * first)
    fig.colorbar(image, ax=axes[:, 0].tolist(), label="ΔF (relative error)", shrink=0.6)
    fig.suptitle("sin x + sin 3x + sin 5x without gradient descent: ΔF at the peaks (ticks: converged)",
                 fontsize="medium")
    style.despine(fig)
    return fig
