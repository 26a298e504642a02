"""fp_nongd, the analysis side: per method, the peaks converge in increasing order of frequency in
every seed, against the method's own clock (iterations or objective evaluations)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...analysis import fit1d
from ...claims import Claim, strictly_increasing
from . import LABELS, clock

SEEDS_LISTED = 5  # a row lists each seed's convergence points up to this many seeds


def _evaluations_at(rows: pd.DataFrame, seed: int, step: float) -> float:
    """The evaluations the trained net had spent by `step` (NaN for a control: not logged)."""
    spent = rows[(rows["seed"] == seed) & (rows["metric"] == "evaluations") & (rows["step"] == step)]["value"]
    return float(spent.iloc[0]) if len(spent) else np.nan


def _steps(step: float) -> str:
    return "never" if np.isnan(step) else str(int(step))


def why_not_ordered(ks, steps) -> str:
    """What breaks "lower first" in one net: a peak that never converges, a tie or an inversion."""
    never = [k for k, s in zip(ks, steps) if np.isnan(s)]
    if never:
        return f"k = {', '.join(map(str, never))} never converge{'s' if len(never) == 1 else ''} within the run"
    for (k1, s1), (k2, s2) in zip(zip(ks, steps), list(zip(ks, steps))[1:]):
        if s1 == s2 and np.isfinite(s1):
            return f"k={k1} and k={k2} converge at the same logged point ({int(s1)})"
        if s1 > s2:
            return f"k={k2} converges before k={k1}"
    return ""


def order_claim(metrics: pd.DataFrame, cfg: dict, method: str) -> Claim:
    """For one method: each peak converges within the run, in increasing order of frequency, in
    every seed of the metrics (one seed's, when the rule judges it)."""
    settings, spectrum = cfg["methods"][method], cfg["spectrum"]
    rows = metrics[metrics["method"] == method] if "method" in metrics else metrics.iloc[:0]
    table = fit1d.convergence(rows, spectrum["threshold"], spectrum["window"])
    # Where the order fails, the first logged point below the threshold (a window of one) shows
    # whether a lower peak was fitted first and then pushed back above it by the method's steps.
    first_below = fit1d.convergence(rows, spectrum["threshold"], 1).set_index(["seed", "k"])["converged_at"]
    verdicts, parts, never = {}, [], set()
    failures = []
    for seed, g in table.sort_values("k").groupby("seed"):
        steps = g["converged_at"].to_numpy()
        verdicts[seed] = strictly_increasing(steps)
        if not verdicts[seed]:
            firsts = ", ".join(f"k={k}: {_steps(first_below.get((seed, k), np.nan))}" for k in g["k"])
            failures.append(
                f"seed {seed}: {why_not_ordered(g['k'].tolist(), steps)} (first logged point below the "
                f"threshold: {firsts})"
            )
        cells = []
        for k, at in zip(g["k"], steps):
            if np.isnan(at):
                never.add(int(k))
                cells.append(f"k={k}: never")
            else:
                spent = _evaluations_at(rows, seed, at)
                cells.append(
                    f"k={k}: {int(at)}"
                    + ("" if np.isnan(spent) or clock(settings) == "evaluations" else f" ({int(spent)} ev)")
                )
        parts.append(f"seed {seed}: " + ", ".join(cells))
    unit = clock(settings)
    if len(parts) > SEEDS_LISTED:  # many seeds: each peak's range; the failing seeds are in the note
        parts = [f"k={k}: {fit1d.spread(g['converged_at'])}" for k, g in table.groupby("k")]
    budget = (
        f"{settings['max_evaluations']} evaluations"
        if settings.get("max_evaluations")
        else f"{settings['max_iterations']} iterations"
    )
    notes = [f"order fails in {'; '.join(failures)}"] if failures else []
    if never:
        notes.append(
            f"k = {', '.join(map(str, sorted(never)))} did not converge within the run's budget ({budget}) "
            "in some seeds"
        )
    return Claim(
        claim=f"lower_peaks_first_{method.replace('-', '_')}",
        statement=f"trained by {LABELS[method]}, lower frequencies converge first",
        measured=f"converged at ({unit}): "
        + ("; ".join(parts) or "no runs")
        + f"; order holds in {sum(verdicts.values())}/{len(verdicts)} seeds",
        threshold=(
            f"ΔF < {spectrum['threshold']} for {spectrum['window']} consecutive logged {unit}; every peak "
            f"converges within the run ({budget}), at steps that strictly increase with k"
        ),
        passed=all(verdicts.values()) if verdicts else None,
        note="; ".join(notes),
    )


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    return [order_claim(metrics, cfg, method) for method in cfg["methods"]]
