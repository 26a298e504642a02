"""Learning time vs frequency (BJKK19's learning-time figures): one panel per net, every seed's time drawn,
the mean ± std where every seed learned, the theory where it applies, the log-log slope printed.

Nothing partial hides in a mean: a k learned by only some seeds is drawn hollow with "a/S" above
it (the mean of the seeds that learned), a k learned by none sits at the cap as ×, and diverged
runs (loss NaN/inf or blown up, `training.ensemble`) get their own marker with their count.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..analysis.sweep import (
    fit_ks,
    loglog_slope,
    prediction,
    predicts_absolutely,
    summary,
    times,
)
from . import style

THEORY = "#e69f00"
DIVERGED = "#d62728"


def panels(metrics: pd.DataFrame, cfg: dict, title: str, eigenvalues=None):
    style.use()
    stats, runs = summary(metrics), times(metrics)
    nets = list(cfg["nets"])
    fig, axes = plt.subplots(1, len(nets), figsize=(4.4 * len(nets), 3.8), squeeze=False, layout="constrained")
    for ax, name in zip(axes[0], nets):
        _panel(ax, name, cfg, stats[stats["net"] == name].sort_values("k"), runs[runs["net"] == name], eigenvalues)
    fig.suptitle(title)
    style.despine(fig)
    return fig


def _panel(ax, name: str, cfg: dict, s: pd.DataFrame, runs: pd.DataFrame, eigenvalues) -> None:
    net = cfg["nets"][name]
    cap, seeds = net["cap"], int(s["seeds"].max())
    no_bias = net.get("bias") is False
    learned = runs[runs["learning_time"].notna()]
    jitter = (learned["seed"].rank(method="dense").to_numpy() - 1 - (seeds - 1) / 2) * 0.08
    ax.scatter(learned["k"] + jitter, learned["learning_time"], s=6, color="0.55", zorder=2, label="each seed")
    full, partial = s[s["learned"] == s["seeds"]], s[(s["learned"] > 0) & (s["learned"] < s["seeds"])]
    ax.errorbar(
        full["k"],
        full["mean"],
        yerr=full["std"].fillna(0),
        fmt="o",
        ms=4,
        capsize=2,
        color=style.OUTPUT,
        zorder=3,
        label=f"mean ± std, learned by all {seeds} seeds",
    )
    if len(partial):
        ax.plot(
            partial["k"],
            partial["mean"],
            "o",
            mfc="white",
            ms=6,
            color=style.OUTPUT,
            zorder=4,
            label="learned by some seeds only (mean of those)",
        )
        for r in partial.itertuples():
            ax.annotate(
                f"{r.learned}/{r.seeds}",
                (r.k, r.mean),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize="x-small",
            )
    never = s[(s["learned"] + s["diverged"]) < s["seeds"]]
    never = never[never["learned"] == 0]
    if len(never):
        ax.scatter(
            never["k"],
            np.full(len(never), cap),
            marker="x",
            color=style.TARGET,
            zorder=5,
            label=f"not learned by the cap ({cap})",
        )
    diverged = s[s["diverged"] > 0]
    if len(diverged):
        ax.scatter(
            diverged["k"] + 0.2,
            np.full(len(diverged), cap),
            marker="^",
            color=DIVERGED,
            zorder=6,
            label="diverged (count)",
        )
        for r in diverged.itertuples():
            ax.annotate(
                str(r.diverged),
                (r.k + 0.2, cap),
                textcoords="offset points",
                xytext=(0, -11),
                ha="center",
                fontsize="x-small",
                color=DIVERGED,
            )
    if len(never) or len(diverged):
        ax.axhline(cap, color=style.TARGET, lw=0.6, ls=":")
    fit = fit_ks(s, cfg["claims"]["k_min"], even_only=no_bias)
    complete = fit[fit["learned"] == fit["seeds"]]
    if eigenvalues is not None:
        _theory(ax, cfg, net, full if predicts_absolutely(cfg) else complete, runs, no_bias, eigenvalues)
    if len(complete) >= 2:
        k = complete["k"].to_numpy(float)
        slope = loglog_slope(k, complete["mean"].to_numpy())
        grid = np.linspace(k.min(), k.max(), 50)
        amplitude = np.exp(np.mean(np.log(complete["mean"]) - slope * np.log(k)))
        ax.plot(
            grid,
            amplitude * grid**slope,
            "-",
            color="grey",
            lw=1,
            label=f"power fit k^{slope:.2f} (k ≥ {cfg['claims']['k_min']}{', even' if no_bias else ''})",
        )
    ax.set(xlabel="frequency k", ylabel="GD updates to loss < threshold", title=name.replace("_", " "))
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="x-small", frameon=False, loc="center left" if len(never) or len(diverged) else "upper left")


def _theory(ax, cfg: dict, net: dict, rows: pd.DataFrame, runs: pd.DataFrame, no_bias: bool, eigenvalues) -> None:
    """The prediction at the learned k: closed form (zero initial output) or the authors' fit."""
    rows = rows[rows["k"] % 2 == 0] if no_bias else rows
    if len(rows) < 2:
        return
    k = rows["k"].to_numpy()
    zero = runs.groupby("k")["zero_loss"].mean().reindex(k).to_numpy()
    predicted = prediction(cfg, net, k.astype(float), rows["mean"].to_numpy(), zero, eigenvalues)
    label = "theory: GD on the NTK, no free constant" if predicts_absolutely(cfg) else "theory: c / (lr·λ_k), c fitted"
    ax.plot(k, predicted, "o", mfc="none", ms=8, color=THEORY, label=label, zorder=3)
