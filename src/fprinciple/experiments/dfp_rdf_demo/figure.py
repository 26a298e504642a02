"""XZ20's RDF illustration: the RDF of sin(kπx) against k0 = 1/δ, each curve divided by its
maximum (the paper's normalisation), the peaks marked; beside it the LFR, its cumulative form."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from ...figures import style
from .claims import summaries


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    ks = sorted(metrics["frequency"].unique())
    colors = sns.color_palette("viridis", len(ks))
    peaks = summaries(metrics)["peak_k0"]
    fig, (rdf_ax, lfr_ax) = plt.subplots(1, 2, figsize=(9.5, 3.6), layout="constrained")
    for k, color in zip(ks, colors):
        rows = metrics[metrics["frequency"] == k]
        for metric, ax in (("rdf", rdf_ax), ("lfr", lfr_ax)):
            curve = rows[rows["metric"] == metric].groupby("key")["value"].mean()
            values = curve.to_numpy() / (curve.max() if metric == "rdf" else 1.0)
            ax.plot(curve.index, values, color=color, lw=1.6, label=f"sin({k:g}πx)")
        rdf_ax.axvline(peaks.loc[k], color=color, ls=":", lw=1)
    unit = "1/δ, δ the Gaussian's std" if cfg["delta_convention"] == "std" else "1/δ, δ the Gaussian's variance"
    rdf_ax.set(
        xscale="log", xlabel=f"k0 = {unit}", ylabel="RDF / max RDF", title="ratio density function (peaks dotted)"
    )
    lfr_ax.set(
        xscale="log", xlabel=f"k0 = {unit}", ylabel="LFR(k0)", ylim=(0, 1.02), title="low-frequency ratio (cumulative)"
    )
    rdf_ax.legend(frameon=False, fontsize="small")
    style.despine(fig)
    return fig
