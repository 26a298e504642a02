"""XZLXM19 parity: train and test accuracy of a net fitting the parity and the majority vote on
part of the Boolean cube, and where each target and each fitted output keep their energy."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from . import style

TITLES = {"parity": "parity ∏ x_j (Walsh degree d)", "majority": "majority sign(Σ x_j) (mostly degree 1)"}
SPLIT_COLORS = {"train": style.OUTPUT, "test": "#2ca02c"}


def _accuracy_panel(ax, rows: pd.DataFrame) -> None:
    for split, line in (("train", "-"), ("test", "--")):
        curves = rows[rows["metric"] == f"{split}_accuracy"]
        for i, (_, run) in enumerate(curves.groupby("run")):
            run = run.sort_values("step")
            ax.plot(run["step"], run["value"], color=SPLIT_COLORS[split], ls=line, lw=1.6, alpha=0.85,
                    label=f"{split} accuracy" if i == 0 else None)
    ax.axhline(0.5, color="grey", lw=0.9, ls=":", label="chance (0.5)")
    ax.set(ylim=(-0.02, 1.02), xlabel="step", ylabel="accuracy (sign agreement)")


def _spectrum_panel(ax, rows: pd.DataFrame) -> None:
    """Walsh energy per degree, as shares of the total: the target and the final output (mean over runs)."""
    target = rows[(rows["metric"] == "target_walsh") & (rows["run"] == rows["run"].min())].sort_values("key")
    output = rows[rows["metric"] == "output_walsh"]
    final = output[output["step"] == output.groupby("run")["step"].transform("max")]
    shares = final.assign(value=final["value"] / final.groupby("run")["value"].transform("sum"))
    mean_share = shares.groupby("key")["value"].mean()
    k, width = target["key"].to_numpy(), 0.4
    ax.bar(k - width / 2, target["value"] / target["value"].sum(), width, color=style.TARGET, label="target")
    ax.bar(mean_share.index + width / 2, mean_share.to_numpy(), width, color=style.OUTPUT,
           label="DNN output, last step (whole cube)")
    ax.set(xlabel="Walsh degree k = |S| (frequency)", ylabel="share of energy at degree k", ylim=(0, 1.05),
           xticks=k)


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    targets = [t for t in cfg["targets"] if t in set(metrics["target"])]
    fig, axes = plt.subplots(2, len(targets), figsize=(4.6 * len(targets), 6.4), layout="constrained", squeeze=False)
    for col, target in enumerate(targets):
        rows = metrics[metrics["target"] == target]
        _accuracy_panel(axes[0, col], rows)
        axes[0, col].set_title(TITLES.get(target, target))
        _spectrum_panel(axes[1, col], rows)
    axes[0, 0].legend(frameon=False, fontsize="small", loc="lower right")
    axes[1, 0].legend(frameon=False, fontsize="small", loc="upper left")
    n_seeds = metrics["seed"].nunique()
    fig.suptitle(
        f"cube {{−1, 1}}^d, d = {cfg['dim']}: trained on a random {cfg['train_fraction']:.0%} of the cube, tested on the rest "
        f"({n_seeds} seed{'s' if n_seeds > 1 else ''}, one line each)", fontsize="medium")
    style.despine(fig)
    return fig
