"""XZLXM19 fig. 3 (lecture notes fig. 1.10): per dataset, one class coordinate's |ŷ_c| along the first principal
component with its peaks and their significance, the ΔF heat map at those peaks over the epochs
(first seed), and the convergence epoch of every tested peak for every seed (a seed whose epochs
do not rise with k shows)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ...analysis.classify import with_epochs
from ...figures import style
from .claims import class_peaks, convergence, shown_class


def _curve(run: pd.DataFrame, metric: str, step: float | None = None):
    rows = run[run["metric"] == metric]
    rows = rows[rows["step"] == (rows["step"].max() if step is None else step)].sort_values("key")
    return rows["key"].to_numpy(), rows["value"].to_numpy()


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    families = [f for f in cfg["families"] if f in set(metrics["family"])]
    limits, min_sigma = cfg["claims"], cfg["spectrum"]["min_sigma"]
    table = convergence(metrics, limits["threshold"], limits["window"])
    fig, axes = plt.subplots(
        len(families),
        3,
        figsize=(15, 3.5 * len(families)),
        layout="constrained",
        squeeze=False,
        width_ratios=[1, 1.2, 0.8],
    )
    for (spec_ax, heat_ax, order_ax), family in zip(axes, families):
        rows = with_epochs(metrics[metrics["family"] == family], by=("run", "family"))
        label = shown_class(rows, cfg["families"][family], min_sigma)
        peaks = class_peaks(rows, label)
        tested = peaks[peaks["sigma"] >= min_sigma]["k"].to_numpy()
        run = rows[(rows["seed"] == rows["seed"].min()) & ((rows["class"] == label) | rows["class"].isna())]
        caption, seed = run["dataset"].iloc[0], run["seed"].iloc[0]
        noise = run[run["metric"] == "noise"]["value"].iloc[0]
        spec_ax.plot(*_curve(run, "target_spectrum", 0), color=style.TARGET, lw=1.2, label=f"target (class {label})")
        spec_ax.plot(
            *_curve(run, "spectrum"), color=style.OUTPUT, lw=1.2, label=f"network output, epoch {run['epoch'].max():g}"
        )
        spec_ax.axhline(noise, color="grey", ls=":", lw=0.9, label=f"noise σ = √(p(1−p)/n) = {noise:.2g}")
        spec_ax.axhline(min_sigma * noise, color="grey", ls="--", lw=0.9, label=f"{min_sigma:g}σ: the suite's floor")
        k, height = _curve(run, "peaks", 0)
        spec_ax.plot(k, height, "o", mfc="none", color="black", ms=6, label="peaks (authors' rule)")
        for x, y, z in zip(k, height, peaks["sigma"]):
            spec_ax.annotate(f"{z:.1f}σ", (x, y), textcoords="offset points", xytext=(4, 4), fontsize="x-small")
        spec_ax.set(xlabel="frequency k along PC1 (cycles per unit of p·x)", ylabel=f"|ŷ(k)| of class {label}")
        spec_ax.set_title(
            f"{caption}\n(a) class {label}'s spectrum along the first principal component", fontsize="small"
        )
        spec_ax.legend(fontsize="x-small", frameon=False)
        delta = run[run["metric"] == "delta_f"].pivot(index="epoch", columns="key", values="value").sort_index()
        if delta.shape[1]:
            style.delta_f_heatmap(heat_ax, delta.index.to_numpy(), delta.columns.to_numpy(), delta.to_numpy())
            heat_ax.set_yticks(
                range(len(delta.columns)), [f"k={k:.3g}{'' if k in tested else ' (< floor)'}" for k in delta.columns]
            )
            heat_ax.set_title(f"(b) ΔF at class {label}'s peaks (red: fitted), seed {seed}", fontsize="small")
        heat_ax.set_xlabel("epoch")
        per_seed = table[(table["family"] == family) & (table["class"] == label) & table["k"].isin(tested)]
        colors = style.output_shades(per_seed["seed"].nunique())
        for (s, g), color in zip(per_seed.groupby("seed"), colors):
            g = g.sort_values("k")
            order_ax.plot(g["k"], g["converged_at"], "o-", lw=1, ms=4, alpha=0.85, color=color, label=f"seed {s}")
        order_ax.set(
            xlabel="peak frequency k", ylabel=f"epoch ΔF < {limits['threshold']} for {limits['window']} epochs"
        )
        order_ax.set_title(
            f"(c) class {label}: convergence epoch of the {len(tested)} peak{'s' if len(tested) != 1 else ''} "
            f"≥ {min_sigma:g}σ, per seed",
            fontsize="small",
        )
        if np.isfinite(per_seed["converged_at"]).any() and per_seed["seed"].nunique() <= 8:
            order_ax.legend(fontsize="x-small", frameon=False)
    style.despine(fig)
    return fig
