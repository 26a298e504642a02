"""The claims and summaries of the 1-D fitting experiments (fp1d_*, fp_nongd): when each of a
net's spectral peaks converges, and whether they converge in increasing order of frequency."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..claims import Claim, strictly_increasing
from ..spectral.dft import convergence_steps

VARIANT_COLUMNS = ("activation", "optimizer", "depth")


def variant_columns(metrics: pd.DataFrame) -> list[str]:
    """The columns that tell one trained net from another: run, seed and the grid's axes."""
    return ["run", "seed", *[c for c in VARIANT_COLUMNS if c in metrics.columns]]


def convergence(metrics: pd.DataFrame, threshold: float, window: int | None) -> pd.DataFrame:
    """Per net and peak k: the logged step from which ΔF(k) stays below `threshold` for `window`
    consecutive logged steps (``spectral.dft.convergence_steps``; NaN: never in the run)."""
    delta = metrics[metrics["metric"] == "delta_f"]
    variant = variant_columns(metrics)
    rows = []
    for keys, group in delta.groupby(variant, sort=True):
        history = group.pivot(index="step", columns="key", values="value").sort_index()
        steps = convergence_steps(history.index.to_numpy(), history.to_numpy(), threshold, window)
        for k, step in zip(history.columns, steps):
            rows.append((*keys, int(k), step))
    return pd.DataFrame(rows, columns=[*variant, "k", "converged_at"])


def convergence_rule(cfg: dict) -> str:
    spectrum_cfg = cfg["spectrum"]
    return f"ΔF < {spectrum_cfg['threshold']} for {spectrum_cfg['window']} consecutive logged steps"


def _steps(values) -> str:
    return ", ".join("never" if np.isnan(s) else str(int(s)) for s in values)


def spread(values) -> str:
    """Steps of a few nets one by one; of many, their range and how many never converged."""
    values = np.sort(np.asarray(values, dtype=float))
    if len(values) <= 5:
        return _steps(values)
    done = values[np.isfinite(values)]
    span = f"{int(done.min())}–{int(done.max())}" if len(done) else "none converged"
    return span + (f", {len(values) - len(done)} never" if len(done) < len(values) else "")


def order_claim(metrics: pd.DataFrame, cfg: dict, statement: str) -> Claim:
    """F-Principle order: at least two peaks, each converging within the run, at steps that
    strictly increase with k, in every net of the metrics (one seed's, when the rule judges it)."""
    table = convergence(metrics, cfg["spectrum"]["threshold"], cfg["spectrum"]["window"])
    label = [c for c in variant_columns(table) if c != "run"]
    holds, failing = {}, []
    for keys, g in table.sort_values("k").groupby(label, sort=True):
        holds[keys] = strictly_increasing(g["converged_at"])
        if not holds[keys]:
            name = "/".join(map(str, keys if isinstance(keys, tuple) else (keys,)))
            failing.append(f"{name}: k={','.join(map(str, g['k']))} at {_steps(g['converged_at'])}")
    ks = sorted(table["k"].unique())
    per_k = "; ".join(f"k={k}: {spread(table.loc[table['k'] == k, 'converged_at'])}" for k in ks)
    measured = f"order holds in {sum(holds.values())}/{len(holds)} nets; converged at ({per_k})"
    if failing:
        measured += f"; failing: {'; '.join(failing[:4])}" + (
            f" (+{len(failing) - 4} more)" if len(failing) > 4 else ""
        )
    return Claim(
        claim="convergence_order",
        statement=statement,
        measured=measured,
        threshold=(
            f"convergence steps ({convergence_rule(cfg)}) strictly increase with k, over ≥ 2 peaks, each "
            "converging within the run"
        ),
        passed=all(holds.values()) if holds else None,
    )
