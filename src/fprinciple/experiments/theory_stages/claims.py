"""theory_stages, the analysis side: the stage claims from the shares each run logged
(``spectral.stages``): the initial and intermediate stages in every net, the final stage in the nets
that meet the final-stage theorem's hypotheses."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...claims import Claim
from ...spectral.stages import STAGES, falls_with_cutoff
from . import TAIL

# Each activation × loss × density is a condition of its own; a stage claim pools their nets
# (reproduced when it holds in significantly more than half and fails in most seeds of none:
# README.md beside this file).
CONDITIONS = ("activation", "power", "density")


def stage_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per net (seed, density, activation, power) and stage: share, baseline, t0, t1."""
    rows = metrics[metrics["metric"].isin(["stage_share", "stage_baseline", "stage_t0", "stage_t1"])]
    table = rows.pivot_table(
        index=["seed", "density", "activation", "power", "key"],
        columns="metric",
        values="value",
        aggfunc="first",
        dropna=False,
    ).reset_index()
    table["stage"] = [STAGES[int(k)] for k in table["key"]]
    return table.drop(columns="key")


def _net(row) -> str:
    return f"{row.activation}/L{int(row.power)}/{row.density}/seed {int(row.seed)}"


NET = ["seed", "density", "activation", "power"]


def final_losses(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per net: the population loss at the last logged step over its value at step 0."""
    loss = metrics[metrics["metric"] == "population_loss"].sort_values("step")
    ends = loss.groupby(NET)["value"].agg(["first", "last"])
    return (ends["last"] / ends["first"]).rename("loss_ratio").reset_index()


def final_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per net: its loss ratio, the final window's ``TAIL`` statistics and its shares above
    the cutoffs (column ``above_<k>``, ascending k)."""
    tail = metrics[metrics["metric"].isin([f"tail_{name}" for name in TAIL])]
    table = tail.pivot_table(index=NET, columns="metric", values="value", aggfunc="first", dropna=False)
    table.columns = [c.removeprefix("tail_") for c in table.columns]
    shares = metrics[metrics["metric"] == "final_share_above"]
    above = shares.pivot_table(index=NET, columns="key", values="value", aggfunc="first", dropna=False)
    above.columns = [f"above_{int(k)}" for k in above.columns]
    return table.join(above).reset_index().merge(final_losses(metrics), on=NET)


def final_hypotheses(net, limits: dict) -> str:
    """Why a net is outside the final-stage theorem's hypotheses ("" when it meets them), checked
    in this order: (a) its loss ended near zero, at most ``final_loss_ratio`` of its start; (b)
    its residual's L² energy E decays exponentially over the final window: it falls at every
    logged step, by at least ``final_tail.min_efolds`` e-folds, at a steady rate (the second half's
    log-rate within ``final_tail.rate_factor`` of the first half's); (c) both bands (k ≤ k₀, k > k₀)
    fall with it, each at E's log-rate within ``rate_factor``: one slowest mode carries the
    residual (a levelled or rising band, or one still falling much faster, is not that tail)."""
    tail = limits["final_tail"]
    factor = tail["rate_factor"]
    if not net.loss_ratio <= limits["final_loss_ratio"]:
        return "loss not near zero"
    if not (net.monotone == 1 and net.efolds >= tail["min_efolds"] and 1 / factor <= net.rate_ratio <= factor):
        return "no exponential tail"
    if not (net.slowest_band >= 1 / factor and net.fastest_band <= factor):
        return "a band not falling with the loss"
    return ""


def final_stage_claim(metrics: pd.DataFrame, cfg: dict) -> Claim:
    """LMXZ19's final-stage theorem, its hypotheses and its conclusion (``final_hypotheses``): in
    the nets that meet the hypotheses, the share above the cutoff of the loss's change (L²) or of
    the output's change (L⁴) over the final window falls as the cutoff grows
    (``falls_with_cutoff``). The other nets are not judged; the row says how many there are and
    what they measured."""
    limits, cutoffs = cfg["claims"], cfg["final_cutoffs"]
    measured_any = len(metrics) and (metrics["metric"] == "final_share_above").any()
    table = final_table(metrics) if measured_any else pd.DataFrame()
    columns = [f"above_{k}" for k in cutoffs]
    reasons = [final_hypotheses(net, limits) for net in table.itertuples()] if len(table) else []
    inside = table[[not r for r in reasons]] if len(table) else table
    holds = [falls_with_cutoff(net[columns].to_numpy(dtype=float)) for _, net in inside.iterrows()]
    counts = pd.Series([r for r in reasons if r], dtype=object).value_counts()
    measured = f"{len(inside)}/{len(table)} nets meet the hypotheses" + (
        f" (outside: {', '.join(f'{n} {r}' for r, n in counts.items())})" if len(counts) else ""
    )
    if len(table):
        outside = table[[bool(r) for r in reasons]]
        if len(outside):
            measured += (
                f"; outside, median loss ratio {outside['loss_ratio'].median():.3g}, e-folds over the final "
                f"window {outside['efolds'].median():.2f}, slowest and fastest band's rate / E's "
                f"{outside['slowest_band'].median():.2f} and {outside['fastest_band'].median():.2f}"
            )
    if len(inside):
        medians = ", ".join(f"{inside[c].median():.3g}" for c in columns)
        measured += (
            f"; in those, median share above k = {', '.join(map(str, cutoffs))}: {medians}; falls in "
            f"{sum(holds)}/{len(inside)} nets"
        )
        failing = [
            f"{_net(net)}: {', '.join(f'{v:.3g}' for v in net[columns])}"
            for (_, net), ok in zip(inside.iterrows(), holds)
            if not ok
        ][:3]
        if failing:
            measured += "; not falling: " + "; ".join(failing)
    tail = limits["final_tail"]
    factor = tail["rate_factor"]
    return Claim(
        claim="final_stage_low_frequency_dominates",
        statement=(
            "final stage (the last "
            f"{cfg['final_fraction']:.0%} of the logged run), gradient descent "
            "converging to a minimum with a non-degenerate Hessian: the share of the loss's change (L²) or "
            "of the output's change (L⁴) above the cutoff falls as the cutoff grows"
        ),
        measured=measured,
        threshold=(
            f"in a net that meets the hypotheses (loss ended ≤ {limits['final_loss_ratio']} × its start; "
            f"over the final window the residual's L² energy falls at every logged step, by ≥ "
            f"{tail['min_efolds']} e-folds, its log-rate steady within {factor}×, and the bands k ≤ "
            f"{cfg['target']['cutoff']} and above each fall at its rate within {factor}×; the others are not "
            f"judged): the share above k = {', '.join(map(str, cutoffs))} never rises and ends below its start"
        ),
        passed=bool(all(holds)) if len(inside) else None,
        note=(
            "LMXZ19's final-stage theorem bounds |dL_{>η}/dt| / |dL/dt| by a constant decaying in η, "
            "near a minimum with a non-degenerate Hessian; the hypotheses are checked on the loss curve "
            "(README.md of theory_stages); a net outside them is neither evidence for nor against"
        ),
        conditions=CONDITIONS,
        pooled=True,
    )


def stage_claim(metrics: pd.DataFrame, cfg: dict, stage: str) -> Claim:
    """Initial and intermediate stages: in every net, the low band's share exceeds its share of
    the residual at the stage's start by ``claims.margin``."""
    margin = cfg["claims"]["margin"]
    table = stage_table(metrics) if len(metrics) else pd.DataFrame()
    rows = table[table["stage"] == stage] if len(table) else table
    excess = (rows["stage_share"] - rows["stage_baseline"]) if len(rows) else pd.Series(dtype=float)
    holds = excess >= margin  # NaN (no decrease, no halving) fails
    worst = rows.assign(excess=excess).sort_values("excess", na_position="first").head(3) if len(rows) else rows
    failing = [
        f"{_net(r)}: {r.stage_share:.3f} vs {r.stage_baseline:.3f}"
        for r in worst.itertuples()
        if not (r.excess >= margin)
    ]
    if len(rows) and np.isfinite(excess).any():
        measured = (
            f"share − baseline: median {np.nanmedian(excess):.3f}, min {np.nanmin(excess):.3f}; holds in "
            f"{int(holds.sum())}/{len(rows)} nets"
        )
    else:
        measured = f"no share measured ({len(rows)} nets)"
    if failing:
        measured += "; lowest: " + "; ".join(failing)
    what = {"initial": f"step 0 to {cfg['log_every']}", "intermediate": "step 0 until the loss has halved"}[stage]
    return Claim(
        claim=f"{stage}_stage_low_frequency_dominates",
        statement=(
            f"{stage} stage ({what}): the loss decrease (L²) and the output change (L⁴) are dominated by "
            f"frequencies ≤ k₀ = {cfg['target']['cutoff']}, beyond the low band's share of the residual at "
            "the stage's start"
        ),
        measured=measured,
        threshold=f"low band's share ≥ its share of the residual at the stage's start + {margin}",
        passed=bool(holds.all()) if len(rows) else None,
        conditions=CONDITIONS,
        pooled=True,
    )


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    return [
        stage_claim(metrics, cfg, "initial"),
        stage_claim(metrics, cfg, "intermediate"),
        final_stage_claim(metrics, cfg),
    ]
