"""Figure of the filtering method on real images (seed 004 fig 1.12)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D

from ..engines.classify import with_epochs
from . import style

NET_LABELS = {"dnn": "DNN", "cnn": "CNN", "vgg16": "VGG16"}


def figure(metrics: pd.DataFrame, cfg: dict):
    """Rows: datasets; columns: nets. e_low (solid) and e_high (dashed) vs epoch, one colour per δ
    (the config's ``figure_deltas`` of the dataset, else all), mean over seeds; the claim's
    threshold dotted."""
    style.use()
    rows = with_epochs(metrics)
    nets = list(cfg["nets"])
    tau = cfg["claims"]["threshold"]
    fig = plt.figure(figsize=(3.2 * len(nets), 3.1 * len(cfg["datasets"])), layout="constrained")
    for entry, row_figure in zip(cfg["datasets"], fig.subfigures(len(cfg["datasets"]), 1, squeeze=False)[:, 0]):
        panel_row = row_figure.subplots(1, len(nets), squeeze=False)[0]
        dataset = entry["data"]["dataset"]
        deltas = entry.get("figure_deltas", entry["deltas"])
        colors = sns.color_palette("viridis", len(deltas))
        caption = rows[rows["dataset"] == dataset]["dataset_name"].dropna()
        for net, ax in zip(nets, panel_row):
            runs = rows[(rows["dataset"] == dataset) & (rows["net"] == net)]
            for delta, color in zip(deltas, colors):
                for metric, dash in (("e_low", "-"), ("e_high", "--")):
                    curve = runs[(runs["metric"] == metric) & (runs["key"] == delta)].groupby("epoch")["value"].mean()
                    ax.plot(curve.index, curve.to_numpy(), dash, color=color, lw=1.4)
            ax.axhline(tau, color="black", ls=":", lw=1)
            ax.set_title(NET_LABELS.get(net, net))
            ax.set(xlabel="epoch", ylabel="relative error", ylim=(0, 1.15))
        row_figure.suptitle(caption.iloc[0] if len(caption) else dataset, fontsize="medium")
        handles = [Line2D([], [], color=c, lw=1.4, label=f"δ = {d:g}") for d, c in zip(deltas, colors)]
        handles += [
            Line2D([], [], color="grey", ls="-", label="e_low"),
            Line2D([], [], color="grey", ls="--", label="e_high"),
            Line2D([], [], color="black", ls=":", label=f"threshold {tau:g}"),
        ]
        row_figure.legend(handles=handles, fontsize="x-small", frameon=False, loc="outside right upper")
    style.despine(fig)
    return fig
