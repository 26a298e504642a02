"""XZ20's MNIST DNN experiment: the RDF of each hidden layer's effective target S[l] at the measured epochs
(one panel each, darker = deeper, the median or mean k0 marked ▲), and that k0 per layer
against the epoch (last panel); mean over seeds."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from ...analysis.classify import with_epochs
from ...figures import style
from ...figures._effective_target import measured_epochs, rdf_panel
from . import hidden_layers


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    layers = hidden_layers(cfg)
    summary = cfg["claims"]["summary"]
    colors = sns.color_palette("rocket_r", len(layers) + 1)[1:]
    epochs = measured_epochs(metrics, layers[0])
    fig, axes = plt.subplots(
        1, len(epochs) + 1, figsize=(3.0 * (len(epochs) + 1), 3.3), layout="constrained", squeeze=False
    )
    curves = [(metrics, layer, f"S[{layer}]", color) for layer, color in zip(layers, colors)]
    for ax, epoch in zip(axes[0], epochs):
        rdf_panel(ax, metrics, epoch, curves, summary)
    axes[0, 0].set_ylabel("RDF of (S[l], labels)")
    axes[0, 0].legend(frameon=False, fontsize="x-small")
    ax = axes[0, -1]
    rows = with_epochs(metrics)
    rows = rows[rows["metric"] == f"{summary}_k0"]
    for layer, color in zip(layers, colors):
        curve = rows[rows["key"] == layer].groupby("epoch")["value"].mean()
        ax.plot(curve.index, curve.to_numpy(), "o-", color=color, lw=1.4, ms=3, label=f"S[{layer}]")
    ax.set(xlabel="epoch", ylabel=f"{summary} k0", title=f"{summary} k0 per layer")
    name = metrics["dataset_name"].iloc[0] if "dataset_name" in metrics.columns else cfg["data"]["dataset"]
    widths = "×".join(map(str, cfg["net"]["hidden"]))
    fig.suptitle(f"{name}: {widths} {cfg['net']['activation']} net", fontsize="medium")
    style.despine(fig)
    return fig
