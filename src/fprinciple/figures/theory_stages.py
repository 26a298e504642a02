"""LMXZ19 (the suite's own check): the residual's energy below and above the cutoff over training,
and per stage the low band's share of the loss decrease or output change against its baseline."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from ..experiments.theory_stages import final_losses, stage_table
from ..spectral.stages import STAGES
from . import style

MARKERS = {2: "o", 4: "s"}


def _energy_panel(ax, rows: pd.DataFrame, colors: dict, cutoff: int) -> None:
    seed = rows["seed"].min()
    rows = rows[rows["seed"] == seed]
    for (activation, power), net in rows.groupby(["activation", "power"]):
        for band, ls in (("residual_low", "-"), ("residual_high", "--")):
            line = net[net["metric"] == band].sort_values("step")
            ax.plot(line["step"], line["value"], color=colors[activation], ls=ls, lw=1.2 if power == 2 else 2.0,
                    alpha=0.8, label=f"{activation} L{power}" if band == "residual_low" else None)
    ax.set(yscale="log", xlabel="step", ylabel=f"residual energy (solid: k ≤ {cutoff}, dashed: k > {cutoff})")


def _stage_panel(ax, table: pd.DataFrame, colors: dict, stage: str, final_loss_ratio: float) -> None:
    rows = table[table["stage"] == stage]
    for r in rows.itertuples():
        near_minimum = stage != "final" or r.loss_ratio <= final_loss_ratio
        ax.plot(r.stage_baseline, r.stage_share, MARKERS[int(r.power)], ms=6, color=colors[r.activation],
                mfc=colors[r.activation] if near_minimum else "none", alpha=0.85)
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls=":")
    ax.set(xlim=(-0.02, 1.02), xlabel="baseline: low band's share of the residual at t₀",
           ylabel="low band's share (L²: loss decrease, L⁴: output change)", title=f"{stage} stage")


def figure(metrics: pd.DataFrame, cfg: dict):
    style.use()
    densities = [d for d in cfg["densities"] if d in set(metrics["density"])]
    activations = [a for a in cfg["activations"] if a in set(metrics["activation"])]
    colors = dict(zip(activations, sns.color_palette("deep", len(activations))))
    fig = plt.figure(figsize=(13, 8.2), layout="constrained")
    top = fig.subfigures(2, 1, height_ratios=[1, 1.1])
    energy_axes = top[0].subplots(1, len(densities), squeeze=False)[0]
    for ax, density in zip(energy_axes, densities):
        _energy_panel(ax, metrics[metrics["density"] == density], colors, cfg["target"]["cutoff"])
        ax.set_title(f"density {density}" + (" ∝ (1 + cos x)²" if density == "bump" else ""))
    energy_axes[0].legend(frameon=False, fontsize="x-small", ncol=2)
    table = stage_table(metrics).merge(final_losses(metrics), on=["seed", "density", "activation", "power"])
    stage_axes = top[1].subplots(1, len(STAGES), squeeze=False)[0]
    for ax, stage in zip(stage_axes, STAGES):
        _stage_panel(ax, table, colors, stage, cfg["claims"]["final_loss_ratio"])
    handles = [plt.Line2D([], [], ls="", marker=MARKERS[p], color="grey", label=f"L{p}") for p in cfg["losses"]]
    stage_axes[0].legend(handles=handles, frameon=False, fontsize="x-small", loc="lower right")
    seeds = metrics["seed"].nunique()
    fig.suptitle(f"LMXZ19's three stages (the suite's own check; {seeds} seed{'s' if seeds > 1 else ''}, "
                 f"top: first seed): hollow = loss not near a minimum", fontsize="medium")
    style.despine(fig)
    return fig
