"""dfp_depth, the analysis side: per sweep, the steps each net needs to reach the loss level (its
first logged step below it) strictly fall with depth and rise with the target's frequency."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...claims import Claim
from . import DEPTH, FREQUENCY, target_name


def steps_to_threshold(metrics: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Per sweep, depth, frequency and seed: the first logged step whose training loss is below
    the relative threshold (NaN: never within the run)."""
    loss = metrics[metrics["metric"] == "train_loss"]
    energy = (
        metrics[metrics["metric"] == "target_energy"].groupby(["sweep", "depth", "frequency", "seed"])["value"].first()
    )
    keys = ["sweep", "depth", "frequency", "seed"]
    rows = []
    for key, group in loss.groupby(keys, sort=True):
        below = group[group["value"] < cfg["relative_loss_threshold"] * energy.get(key, np.nan)]
        rows.append((*key, float(below["step"].min()) if len(below) else np.nan))
    return pd.DataFrame(rows, columns=[*keys, "steps"])


def _sweep_claim(
    table: pd.DataFrame, axis: str, direction: int, min_factor: float, claim: str, statement: str, cfg: dict
) -> Claim:
    """The steps (their mean over the seeds in ``table``: one seed's, when the rule judges it)
    strictly fall (``direction`` −1) or rise (+1) along ``axis``, by at least ``min_factor`` from
    one end to the other; every run must reach the loss level."""
    runs = table.sort_values(axis)
    converged = int(runs["steps"].notna().sum())
    means = runs.groupby(axis)["steps"].mean()  # NaN if any seed never reached the level
    means = means.where(runs.groupby(axis)["steps"].apply(lambda s: s.notna().all()))
    values = means.to_numpy(dtype=float)
    ordered = bool(len(values) >= 2 and np.all(np.isfinite(values)) and np.all(direction * np.diff(values) > 0))
    factor = (values[-1] / values[0]) ** direction if len(values) >= 2 and values[0] > 0 else float("nan")
    per_seed = "; ".join(
        f"seed {seed}: " + ", ".join("never" if np.isnan(s) else f"{s:.0f}" for s in group.sort_values(axis)["steps"])
        for seed, group in runs.groupby("seed")
    )
    listed = ", ".join(f"{axis} {key:g}: " + ("never" if np.isnan(v) else f"{v:.0f}") for key, v in means.items())
    word = "fall" if direction < 0 else "rise"
    return Claim(
        claim=claim,
        statement=statement,
        measured=f"mean steps to MSE/mean(y²) < {cfg['relative_loss_threshold']:g} over seeds: {listed} "
        f"(end-to-end factor {factor:.3g}; {converged}/{len(runs)} runs reached it; {per_seed})",
        threshold=f"every run reaches the level within {cfg['steps']} steps; the steps strictly {word} with "
        f"{axis}, by a factor ≥ {min_factor:g} from the first {axis} to the last",
        passed=bool(ordered and converged == len(runs) and factor >= min_factor) if len(runs) else None,
    )


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    table = steps_to_threshold(metrics, cfg)
    limits = cfg["claims"]
    return [
        _sweep_claim(
            table[table["sweep"] == DEPTH],
            "depth",
            -1,
            limits["min_speedup"],
            "deeper_is_faster",
            f"with equal widths, deeper nets need fewer steps to fit {target_name(cfg['depth_sweep']['frequencies'])}",
            cfg,
        ),
        _sweep_claim(
            table[table["sweep"] == FREQUENCY],
            "frequency",
            +1,
            limits["min_slowdown"],
            "higher_frequency_is_slower",
            f"one fixed net ({cfg['frequency_sweep']['depth']} hidden layers) needs more steps for cos(kx) the higher k",
            cfg,
        ),
    ]
