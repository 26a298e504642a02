"""Seed 004 fig 1.10: per dataset, |ŷ| along the first principal component with its peaks, and
the ΔF heat map at those peaks over the epochs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ..engines.classify import with_epochs
from . import style


def _curve(run: pd.DataFrame, metric: str, step: float):
    rows = run[(run["metric"] == metric) & (run["step"] == step)].sort_values("key")
    return rows["key"].to_numpy(), rows["value"].to_numpy()


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    families = list(dict.fromkeys(metrics["family"]))
    fig, axes = plt.subplots(
        len(families), 2, figsize=(11, 3.4 * len(families)), layout="constrained", squeeze=False, width_ratios=[1, 1.2]
    )
    for (spec_ax, heat_ax), family in zip(axes, families):
        rows = with_epochs(metrics[metrics["family"] == family])
        run = rows[rows["run"] == sorted(rows["run"].unique())[0]]  # the first seed, as the paper shows one run
        caption, seed = run["dataset"].iloc[0], run["seed"].iloc[0]
        last = run["step"].max()
        k, target = _curve(run, "target_spectrum", 0)
        spec_ax.plot(k, target, color=style.TARGET, lw=1.2, label="target (labels)")
        spec_ax.plot(*_curve(run, "spectrum", last), color=style.OUTPUT, lw=1.2, label=f"network output, epoch {run['epoch'].max():g}")
        spec_ax.plot(*_curve(run, "peaks", 0), "o", mfc="none", color="black", ms=6, label="peaks")
        spec_ax.set(xlabel="frequency k along PC1 (cycles per unit of p·x)", ylabel="|ŷ(k)| (norm over classes)")
        spec_ax.set_title(f"{caption}\n(a) spectrum along the first principal component", fontsize="small")
        spec_ax.legend(fontsize="small", frameon=False)
        delta = run[run["metric"] == "delta_f"].pivot(index="epoch", columns="key", values="value").sort_index()
        style.delta_f_heatmap(heat_ax, delta.index.to_numpy(), delta.columns.to_numpy(), delta.to_numpy())
        heat_ax.set_yticks(range(len(delta.columns)), [f"k={k:.3g}" for k in delta.columns])
        heat_ax.set_xlabel("epoch")
        heat_ax.set_title(f"{caption}\n(b) ΔF at the peaks (red: fitted), seed {seed}", fontsize="small")
    style.despine(fig)
    return fig
