"""Figure of fp_init_scale (X18): 1-D fits, their spectra and high-frequency energy, and the
classifier's test error, each against the initialisation scale s."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from ...figures import style
from . import data_caption, target_caption
from .claims import final


def _curve(rows: pd.DataFrame, name: str) -> tuple:
    rows = rows[rows["metric"] == name].sort_values("key")
    return rows["key"].to_numpy(), rows["value"].to_numpy()


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    stds = sorted(float(s) for s in cfg["init_stds"])
    colors = dict(zip(stds, sns.color_palette("viridis", len(stds))))
    fits = metrics[(metrics["part"] == "fit1d") & (metrics["seed"] == metrics["seed"].min())]
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.6), layout="constrained")

    ax = axes[0]
    ax.plot(*_curve(fits[fits["step"] == 0], "target"), color=style.TARGET, lw=1, ls="--", label="target", zorder=4)
    for s in stds:
        run = fits[fits["init_std"] == s]
        last = run[run["step"] == run["step"].max()]
        ax.plot(*_curve(last, "output"), color=colors[s], lw=1.5, label=f"s = {s:g}")
        axes[1].semilogy(*_curve(last, "spectrum"), color=colors[s], lw=1.2, label=f"s = {s:g}")
    x, y = _curve(fits[fits["step"] == 0], "points")
    ax.scatter(x, y, color="black", s=18, zorder=5, label="training points")
    ax.set_ylim(-3 * abs(y).max(), 3 * abs(y).max())  # a wild large-s fit would flatten the rest
    ax.set(
        xlabel="x",
        ylabel="f(x)",
        title=f"fits of {target_caption(cfg['fit1d']['target'])} after training (seed {int(fits['seed'].min())})",
    )
    ax.legend(fontsize="x-small", frameon=False)

    k_min = cfg["fit1d"]["high_freq_min"]
    axes[1].axvline(k_min, color="grey", lw=1, ls=":", label=f"k = {k_min}")
    axes[1].set(xlabel="frequency index k", ylabel="|DFT| of the learned function", title="spectra after training")
    axes[1].legend(fontsize="x-small", frameon=False)

    ax = axes[2]
    energy = metrics[(metrics["part"] == "fit1d") & (metrics["metric"] == "high_freq_energy")]
    start = energy[energy["step"] == 0].groupby("init_std")["value"].mean()
    trained = final(metrics, "fit1d", ["high_freq_energy", "train_loss"])
    ax.plot(start.index, start.to_numpy(), "--", color="grey", marker="o", mfc="none", label="at initialisation (mean)")
    ax.plot(
        *trained.groupby("init_std")["high_freq_energy"]
        .mean()
        .reset_index()[["init_std", "high_freq_energy"]]
        .to_numpy()
        .T,
        color=style.OUTPUT,
        marker="o",
        label="after training (mean)",
    )
    fitted = trained["train_loss"] < cfg["fit1d"]["loss_threshold"]
    ax.scatter(
        trained["init_std"][fitted],
        trained["high_freq_energy"][fitted],
        color=style.OUTPUT,
        s=10,
        alpha=0.5,
        label="seeds",
    )
    if (~fitted).any():  # a seed that did not fit its points is no evidence: show it apart
        ax.scatter(
            trained["init_std"][~fitted],
            trained["high_freq_energy"][~fitted],
            color="#d62728",
            marker="x",
            s=25,
            label=f"seed not fitted (MSE ≥ {cfg['fit1d']['loss_threshold']:g})",
        )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="initialisation scale s",
        ylabel=f"energy fraction at k ≥ {k_min}",
        title="high-frequency energy of the 1-D fit",
    )
    ax.legend(fontsize="x-small", frameon=False)

    ax = axes[3]
    nets = final(metrics, "mnist", ["train_accuracy", "test_accuracy"])
    for column, label, color in (("test_accuracy", "test", style.TARGET), ("train_accuracy", "train", style.OUTPUT)):
        error = 1 - nets[column]
        ax.plot(
            *pd.DataFrame({"s": nets["init_std"], "e": error}).groupby("s")["e"].mean().reset_index().to_numpy().T,
            color=color,
            marker="o",
            label=f"{label} (mean)",
        )
        ax.scatter(nets["init_std"], error, color=color, s=10, alpha=0.5)
    ax.set(
        xscale="log",
        xlabel="initialisation scale s",
        ylabel="classification error",
        title=data_caption(cfg),
        ylim=(0, None),
    )
    ax.title.set_fontsize("small")
    ax.legend(fontsize="x-small", frameon=False)
    for ax in axes[2:]:
        ax.set_xticks(stds, [f"{s:g}" for s in stds])
        ax.minorticks_off()
    style.despine(fig)
    return fig
