"""XZ20's ResNet-18 experiment: training and validation accuracy per epoch of each ResNet-18 variant
(−r = r residual blocks removed), and the RDF of the head's effective target S[−3] at the
measured epochs (one panel each, the median or mean k0 marked ▲); mean over seeds."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from ...analysis.classify import with_epochs
from ...figures import style
from ...figures._effective_target import measured_epochs, rdf_panel
from . import EFFECTIVE_LAYER


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    variants = sorted(cfg["blocks_removed"])
    colors = dict(zip(variants, sns.color_palette("viridis_r", len(variants))))
    epochs = measured_epochs(metrics, EFFECTIVE_LAYER)
    columns = max(len(epochs), 2)
    fig = plt.figure(figsize=(2.9 * columns, 6.4), layout="constrained")
    top, bottom = fig.subfigures(2, 1)
    accuracy_axes = top.subplots(1, 2)
    rows = with_epochs(metrics)
    for ax, split in zip(accuracy_axes, ("train", "validation")):
        for r in variants:
            curve = (
                rows[(rows["metric"] == f"{split}_accuracy") & (rows["blocks_removed"] == r)]
                .groupby("epoch")["value"]
                .mean()
            )
            ax.plot(curve.index, curve.to_numpy(), color=colors[r], lw=1.5, label=f"−{r}" if r else "none")
        ax.set(xlabel="epoch", ylabel=f"{split} accuracy", ylim=(0, 1.02), title=f"{split} accuracy")
    accuracy_axes[1].legend(title="blocks removed", frameon=False, fontsize="small")
    name = metrics["dataset_name"].iloc[0] if "dataset_name" in metrics.columns else cfg["data"]["dataset"]
    top.suptitle(f"{name}: ResNet-18 (width ×{cfg['net']['width']:g})", fontsize="medium")
    curves = [
        (metrics[metrics["blocks_removed"] == r], EFFECTIVE_LAYER, f"−{r}" if r else "none", colors[r])
        for r in variants
    ]
    rdf_axes = bottom.subplots(1, columns, squeeze=False)[0]
    for ax, epoch in zip(rdf_axes, epochs):
        rdf_panel(ax, metrics, epoch, curves, cfg["claims"]["summary"])
    for ax in rdf_axes[len(epochs) :]:
        ax.set_visible(False)
    rdf_axes[0].set_ylabel("RDF of (S[−3], labels)")
    rdf_axes[0].legend(title="blocks removed", frameon=False, fontsize="x-small")
    style.despine(fig)
    return fig
