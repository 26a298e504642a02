"""Figure of the filtering method on real images (XZLXM19 fig. 4)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D

from ...figures import style
from .claims import relative_errors

NET_LABELS = {"dnn": "DNN", "cnn": "CNN", "vgg16": "VGG16"}


def figure(metrics: pd.DataFrame, cfg: dict):
    """Rows: datasets; columns: nets. e_low (solid) and e_high (dashed), each relative to its
    epoch-0 value (what the claims test), vs epoch, one colour per δ (the config's
    ``figure_deltas`` of the dataset, else all) and one line per seed, so a seed that breaks the
    order is not averaged away."""
    style.use()
    table, tau = relative_errors(metrics), cfg["claims"]["threshold"]
    nets = list(cfg["nets"])
    fig = plt.figure(figsize=(3.2 * len(nets), 3.2 * len(cfg["datasets"])), layout="constrained")
    for entry, row_figure in zip(cfg["datasets"], fig.subfigures(len(cfg["datasets"]), 1, squeeze=False)[:, 0]):
        panel_row = row_figure.subplots(1, len(nets), squeeze=False)[0]
        dataset = entry["data"]["dataset"]
        deltas = entry.get("figure_deltas", entry["deltas"])
        colors = sns.color_palette("viridis", len(deltas))
        caption = metrics[metrics["dataset"] == dataset]["dataset_name"].dropna()
        for net, ax in zip(nets, panel_row):
            runs = table[(table["dataset"] == dataset) & (table["net"] == net)]
            for delta, color in zip(deltas, colors):
                for _, curve in runs[runs["delta"] == delta].groupby("seed"):
                    ax.plot(curve["epoch"], curve["rel_low"], "-", color=color, lw=1.3, alpha=0.85)
                    ax.plot(curve["epoch"], curve["rel_high"], "--", color=color, lw=1.3, alpha=0.85)
            ax.axhline(tau, color="black", ls=":", lw=1)
            ax.set_title(NET_LABELS.get(net, net), fontsize="small")
            ax.set(xlabel="epoch", ylabel="error / its value at epoch 0", ylim=(0, 1.25))
        seeds = metrics[metrics["dataset"] == dataset]["seed"].nunique()
        name = caption.iloc[0] if len(caption) else dataset
        row_figure.suptitle(f"{name} ({seeds} seed{'s' if seeds > 1 else ''}, one line each)", fontsize="medium")
        handles = [Line2D([], [], color=c, lw=1.4, label=f"δ = {d:g}") for d, c in zip(deltas, colors)]
        handles += [
            Line2D([], [], color="grey", ls="-", label="e_low / e_low(0)"),
            Line2D([], [], color="grey", ls="--", label="e_high / e_high(0)"),
            Line2D([], [], color="black", ls=":", label=f"threshold {tau:g}"),
        ]
        row_figure.legend(
            handles=handles, fontsize="x-small", frameon=False, loc="outside right center"
        )  # below the title
    style.despine(fig)
    return fig
