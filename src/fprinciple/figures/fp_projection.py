"""Seed 004 fig 1.10: per dataset, |ŷ| along the first principal component with its noise floor
and peaks, the ΔF heat map at those peaks over the epochs (first seed), and the convergence epoch
of every peak for every seed (a seed that breaks the order shows)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..engines.classify import with_epochs
from ..experiments.fp_projection import convergence, in_order
from . import style


def _curve(run: pd.DataFrame, metric: str, step: float):
    rows = run[(run["metric"] == metric) & (run["step"] == step)].sort_values("key")
    return rows["key"].to_numpy(), rows["value"].to_numpy()


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    families = [f for f in cfg["families"] if f in set(metrics["family"])]
    limits = cfg["claims"]
    table = convergence(metrics, limits["threshold"], limits["window"])
    fig, axes = plt.subplots(len(families), 3, figsize=(15, 3.5 * len(families)), layout="constrained", squeeze=False,
                             width_ratios=[1, 1.2, 0.8])
    for (spec_ax, heat_ax, order_ax), family in zip(axes, families):
        rows = with_epochs(metrics[metrics["family"] == family], by=("run", "family"))
        run = rows[rows["seed"] == rows["seed"].min()]  # the first seed, as the paper shows one run
        caption, seed = run["dataset"].iloc[0], run["seed"].iloc[0]
        last = run["step"].max()
        k, target = _curve(run, "target_spectrum", 0)
        spec_ax.plot(k, target, color=style.TARGET, lw=1.2, label="target (labels)")
        spec_ax.plot(*_curve(run, "spectrum", last), color=style.OUTPUT, lw=1.2, label=f"network output, epoch {run['epoch'].max():g}")
        floor = run[run["metric"] == "noise_floor"]["value"].iloc[0]
        spec_ax.axhline(floor, color="grey", ls="--", lw=0.9, label=f"noise floor {floor:.3g}")
        spec_ax.plot(*_curve(run, "peaks", 0), "o", mfc="none", color="black", ms=6, label="peaks above the floor")
        spec_ax.set(xlabel="frequency k along PC1 (cycles per unit of p·x)", ylabel="|ŷ(k)| (norm over classes)")
        spec_ax.set_title(f"{caption}\n(a) spectrum along the first principal component", fontsize="small")
        spec_ax.legend(fontsize="x-small", frameon=False)
        delta = run[run["metric"] == "delta_f"].pivot(index="epoch", columns="key", values="value").sort_index()
        if delta.shape[1] >= 2:
            style.delta_f_heatmap(heat_ax, delta.index.to_numpy(), delta.columns.to_numpy(), delta.to_numpy())
            heat_ax.set_yticks(range(len(delta.columns)), [f"k={k:.3g}" for k in delta.columns])
            heat_ax.set_title(f"(b) ΔF at the peaks (red: fitted), seed {seed}", fontsize="small")
        else:  # one peak (or none): a heat map of one row says less than its curve, one per seed
            for s, curve in rows[rows["metric"] == "delta_f"].groupby("seed"):
                heat_ax.plot(curve["epoch"], curve["value"], lw=1.2, label=f"seed {s}, k = {curve['key'].iloc[0]:.3g}")
            heat_ax.axhline(limits["threshold"], color="black", ls=":", lw=1, label=f"threshold {limits['threshold']:g}")
            heat_ax.set(ylabel="ΔF at the peak", ylim=(0, 1.2))
            heat_ax.legend(fontsize="x-small", frameon=False)
            heat_ax.set_title("(b) ΔF at the only peak above the floor" if delta.shape[1] else "(b) no peak above the floor",
                              fontsize="small")
        heat_ax.set_xlabel("epoch")
        per_seed = table[table["family"] == family]
        n_peaks = per_seed["k"].nunique()
        holding = 0
        for s, g in per_seed.groupby("seed"):
            g = g.sort_values("k")
            ok = in_order(g["converged_at"], limits["ties"])
            holding += ok
            broken = "" if ok or n_peaks < 2 else " (order broken)"
            order_ax.plot(g["k"], g["converged_at"], "o-", lw=1, ms=4, alpha=0.85,
                          color=style.OUTPUT if ok or n_peaks < 2 else "#d62728", label=f"seed {s}{broken}")
        verdict = (f"order holds in {holding}/{per_seed['seed'].nunique()} seeds" if n_peaks >= 2
                   else f"{n_peaks} peak above the floor: no order to test")
        order_ax.set(xlabel="peak frequency k", ylabel=f"epoch ΔF < {limits['threshold']} for {limits['window']} epochs")
        order_ax.set_title(f"(c) convergence per seed: {verdict}", fontsize="small")
        if np.isfinite(per_seed["converged_at"]).any() and per_seed["seed"].nunique() <= 8:
            order_ax.legend(fontsize="x-small", frameon=False)
    style.despine(fig)
    return fig
