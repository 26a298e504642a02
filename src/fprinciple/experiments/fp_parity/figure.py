"""XZLXM19 parity: train and test accuracy of a net fitting the parity and the majority vote on
random points of the Boolean cube, where each target and each fitted output keep their energy
(Walsh degree), and the authors' spectrum along the all-ones direction."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ...figures import style
from .claims import final

TITLES = {"parity": "parity ∏ x_j (Walsh degree d)", "majority": "majority sign(Σ x_j) (mostly degree 1)"}
SPLIT_COLORS = {"train": style.OUTPUT, "test": "#2ca02c"}


def _last(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["step"] == rows.groupby("seed")["step"].transform("max")]


def _accuracy_panel(ax, rows: pd.DataFrame) -> None:
    """One line per seed and split: a seed that generalizes differently stays visible."""
    for split, line in (("train", "-"), ("test", "--")):
        curves = rows[rows["metric"] == f"{split}_accuracy"]
        for i, (_, run) in enumerate(curves.groupby("seed")):
            run = run.sort_values("step")
            ax.plot(
                run["step"],
                run["value"],
                color=SPLIT_COLORS[split],
                ls=line,
                lw=1.4,
                alpha=0.8,
                label=f"{split} accuracy ({'training points' if split == 'train' else 'unseen points'})"
                if i == 0
                else None,
            )
    ax.axhline(0.5, color="grey", lw=0.9, ls=":", label="chance (0.5)")
    ax.set(ylim=(-0.02, 1.02), xlabel="step", ylabel="accuracy (sign agreement)")


def _walsh_panel(ax, rows: pd.DataFrame) -> None:
    """Walsh energy per degree as shares of the non-constant energy: the target (bars) and the
    final output of each seed (dots)."""
    target = rows[(rows["metric"] == "target_walsh") & (rows["seed"] == rows["seed"].min())].sort_values("key")
    k = target["key"].to_numpy()
    ax.bar(k, target["value"] / target["value"].sum(), 0.6, color=style.TARGET, alpha=0.5, label="target")
    for i, (_, run) in enumerate(_last(rows[rows["metric"] == "output_walsh"]).groupby("seed")):
        run = run.sort_values("key")
        energy = run["value"].to_numpy()
        share = np.where(run["key"] > 0, energy, 0.0) / max(energy[1:].sum(), np.finfo(float).tiny)
        ax.plot(
            run["key"],
            share,
            "o-",
            color=style.OUTPUT,
            ms=3.5,
            lw=0.8,
            alpha=0.8,
            label="net output, last step (one line per seed)" if i == 0 else None,
        )
    ax.set(xlabel="Walsh degree |S| (frequency)", ylabel="share of non-constant energy", ylim=(0, 1.05), xticks=k)


def _diagonal_panel(ax, rows: pd.DataFrame) -> None:
    """|FT| along the all-ones direction, as the authors plot it: target on the whole cube and on
    the training draws, output on the whole cube (one line per seed)."""
    first = rows[rows["seed"] == rows["seed"].min()]
    for metric, color, label in (
        ("target_diagonal", style.TARGET, "target, whole cube"),
        ("train_set_diagonal", "grey", "target, training draws (first seed)"),
    ):
        curve = first[first["metric"] == metric].sort_values("key")
        ax.plot(
            curve["key"],
            curve["value"],
            color=color,
            lw=1.4,
            ls="-" if metric == "target_diagonal" else ":",
            label=label,
        )
    for i, (_, run) in enumerate(_last(rows[rows["metric"] == "output_diagonal"]).groupby("seed")):
        run = run.sort_values("key")
        ax.plot(
            run["key"],
            run["value"],
            color=style.OUTPUT,
            lw=1.0,
            alpha=0.8,
            label="net output, whole cube, last step" if i == 0 else None,
        )
    ax.set(xlabel="k along (1, …, 1)", ylabel="|FT| (1/n Σ h e^{−ik Σx_j})")


def _spread(values, fmt: str) -> str:
    """A per-seed value in a title that holds for 20 seeds: its mean and range."""
    values = np.asarray(values, dtype=float)
    return f"mean {values.mean():{fmt}}, {values.min():{fmt}}–{values.max():{fmt}}"


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    targets = [t for t in cfg["targets"] if t in set(metrics["target"])]
    fig, axes = plt.subplots(len(targets), 3, figsize=(14, 3.6 * len(targets)), layout="constrained", squeeze=False)
    table = final(metrics)
    for row, target in zip(axes, targets):
        rows = metrics[metrics["target"] == target]
        _accuracy_panel(row[0], rows)
        runs = table[table["target"] == target]
        row[0].set_title(
            f"{TITLES.get(target, target)}\nfinal test accuracy over seeds: {_spread(runs['test'], '.2f')}",
            fontsize="small",
        )
        _walsh_panel(row[1], rows)
        row[1].set_title(
            f"mean Walsh degree of the fit over seeds: {_spread(runs['mean_degree'], '.1f')}", fontsize="small"
        )
        _diagonal_panel(row[2], rows)
        for ax in row:
            ax.legend(frameon=False, fontsize="x-small")
    n_seeds = metrics["seed"].nunique()
    fig.suptitle(
        f"cube {{−1, 1}}^{cfg['dim']}: trained on {cfg['n_train']} random points (with repeats), tested on the points "
        f"never drawn ({n_seeds} seed{'s' if n_seeds > 1 else ''})",
        fontsize="medium",
    )
    style.despine(fig)
    return fig
