"""LMXZ19 (the suite's own check): the residual's energy below and above the cutoff over training;
at the initial and intermediate stages the low band's share of the loss decrease or output change
against its baseline; at the final stage the share above each cutoff, solid for the nets that meet
the final-stage theorem's hypotheses."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from ...figures import style
from .claims import final_hypotheses, final_table, stage_table

MARKERS = {2: "o", 4: "s"}


def _energy_panel(ax, rows: pd.DataFrame, colors: dict, cutoff: int) -> None:
    seed = rows["seed"].min()
    rows = rows[rows["seed"] == seed]
    for (activation, power), net in rows.groupby(["activation", "power"]):
        for band, ls in (("residual_low", "-"), ("residual_high", "--")):
            line = net[net["metric"] == band].sort_values("step")
            ax.plot(
                line["step"],
                line["value"],
                color=colors[activation],
                ls=ls,
                lw=1.2 if power == 2 else 2.0,
                alpha=0.8,
                label=f"{activation} L{power}" if band == "residual_low" else None,
            )
    ax.set(yscale="log", xlabel="step", ylabel=f"residual energy (solid: k ≤ {cutoff}, dashed: k > {cutoff})")


def _stage_panel(ax, table: pd.DataFrame, colors: dict, stage: str) -> None:
    for r in table[table["stage"] == stage].itertuples():
        ax.plot(r.stage_baseline, r.stage_share, MARKERS[int(r.power)], ms=6, color=colors[r.activation], alpha=0.85)
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls=":")
    ax.set(
        xlim=(-0.02, 1.02),
        xlabel="baseline: low band's share of the residual at t₀",
        ylabel="low band's share (L²: loss decrease, L⁴: output change)",
        title=f"{stage} stage",
    )


def _final_panel(ax, metrics: pd.DataFrame, cfg: dict, colors: dict) -> None:
    cutoffs = cfg["final_cutoffs"]
    table = final_table(metrics)
    inside = 0
    for net in table.itertuples():
        meets = not final_hypotheses(net, cfg["claims"])
        inside += meets
        shares = [getattr(net, f"above_{k}") for k in cutoffs]
        ax.plot(
            cutoffs,
            shares,
            marker=MARKERS[int(net.power)],
            ms=4,
            color=colors[net.activation],
            ls="-" if meets else ":",
            lw=1.4 if meets else 0.8,
            alpha=0.9 if meets else 0.35,
            mfc=colors[net.activation] if meets else "none",
        )
    ax.set(
        xscale="log",
        yscale="log",
        xticks=cutoffs,
        xticklabels=[str(k) for k in cutoffs],
        xlabel="cutoff k",
        ylabel="share above k (L²: loss change, L⁴: output change)",
        title=f"final stage: {inside}/{len(table)} nets meet the hypotheses (solid)",
    )
    ax.xaxis.set_minor_locator(plt.NullLocator())


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
    table = stage_table(metrics)
    stage_axes = top[1].subplots(1, 3, squeeze=False)[0]
    for ax, stage in zip(stage_axes, ("initial", "intermediate")):
        _stage_panel(ax, table, colors, stage)
    _final_panel(stage_axes[2], metrics, cfg, colors)
    handles = [plt.Line2D([], [], ls="", marker=MARKERS[p], color="grey", label=f"L{p}") for p in cfg["losses"]]
    stage_axes[0].legend(handles=handles, frameon=False, fontsize="x-small", loc="lower right")
    seeds = metrics["seed"].nunique()
    fig.suptitle(
        f"LMXZ19's three stages (the suite's own check; {seeds} seed{'s' if seeds > 1 else ''}, top: first seed)",
        fontsize="medium",
    )
    style.despine(fig)
    return fig
