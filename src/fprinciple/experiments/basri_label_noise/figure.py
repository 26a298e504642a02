"""BJKK19 fig. 1, left: train, validation (both with noisy labels) and clean test accuracy per epoch,
with the early-stopping epoch (best validation accuracy) marked, as in the authors' plot."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ...figures import style
from .claims import curves, summary

# The authors' colours: train red, validation green, test blue.
SPLITS = {
    "train": ("#d62728", "train (noisy labels)"),
    "validation": ("#2ca02c", "validation (noisy labels)"),
    "test": ("#1f77b4", "test (clean labels)"),
}


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    table, stops = curves(metrics), summary(metrics).set_index("seed")
    seeds = sorted(table["seed"].unique())
    fig, ax = plt.subplots(figsize=(9.5, 4.2), layout="constrained")
    for i, seed in enumerate(seeds):
        run = table[table["seed"] == seed].sort_values("epoch")
        first = i == 0
        for split, (color, label) in SPLITS.items():
            ax.plot(
                run["epoch"],
                run[split],
                color=color,
                lw=2 if first else 0.9,
                alpha=1 if first else 0.45,
                label=label if first else None,
            )
        ax.axvline(
            stops.loc[seed, "stop_epoch"],
            color="black",
            ls=":",
            lw=1.4 if first else 0.8,
            alpha=1 if first else 0.45,
            label="early stopping (best validation accuracy)" if first else None,
        )
    ceiling = metrics[metrics["metric"] == "validation_clean_label_share"]["value"].mean()
    ax.axhline(
        ceiling,
        color="grey",
        ls="--",
        lw=0.9,
        label=f"true share of validation labels ({ceiling:.2f}):\na clean classifier's validation score",
    )
    name = metrics["dataset_name"].iloc[0] if "dataset_name" in metrics.columns else cfg["data"]["dataset"]
    extra = f"; thin lines: {len(seeds) - 1} more seed{'s' if len(seeds) > 2 else ''}" if len(seeds) > 1 else ""
    ax.set(
        xlabel="epoch",
        ylabel="accuracy",
        ylim=(0, 1.02),
        title=f"{name}: {cfg['noise']:.0%} of training and validation labels random{extra}",
    )
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize="small")
    style.despine(fig)
    return fig
