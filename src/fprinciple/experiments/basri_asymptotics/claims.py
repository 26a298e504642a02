"""basri_asymptotics, the analysis side: g(d) is a line in d, and g(d) ≈ d + 1 for small d."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import digamma

from ...claims import EXACT, Claim
from . import GROWTH, degrees

CONTROL_NOTE = (
    "exact theory, no network: no frozen or mean control; must fail instead on the perturbed "
    "learner (the smallest d's coefficients used for every d)"
)


def finite_k_exponent(d, ks) -> np.ndarray:
    """The large-k law's exponent at the fitted k range: the local log-slope of
    (Gamma((k + d + 1)/2) / Gamma(k/2))^2 (c_{d,k} is proportional to it up to 1 + O(1/k)),
    ``kbar [psi((kbar + d + 1)/2) - psi(kbar/2)]`` at the geometric mean kbar of ``ks``. It is
    d + 1 - (d + 1)^2 / (2 kbar) + ..., tending to d + 1 as kbar -> infinity."""
    ks = np.asarray(ks, dtype=float)
    kbar = float(np.exp(np.mean(np.log(ks))))
    d = np.asarray(d, dtype=float)
    return kbar * (digamma((kbar + d + 1) / 2) - digamma(kbar / 2))


def is_constant(y) -> bool:
    """Whether y varies by no more than float round-off (then R² is 0/0: no line to judge)."""
    y = np.asarray(y, dtype=float)
    return bool(np.ptp(y) <= 1e-9 * max(1.0, float(np.abs(y).max())))


def linear_fit(x, y) -> tuple[float, float, float]:
    """(slope, intercept, R^2) of the least-squares line y ~ x; R² is NaN for a constant y."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    if is_constant(y):
        return float(slope), float(intercept), float("nan")
    residual = y - (slope * x + intercept)
    return float(slope), float(intercept), float(1.0 - np.sum(residual**2) / np.sum((y - y.mean()) ** 2))


def exponents(metrics: pd.DataFrame) -> pd.Series:
    """g(d) by d (mean over runs: every run computes the same numbers)."""
    rows = metrics[metrics["metric"] == GROWTH]
    return rows.groupby("key")["value"].mean().sort_index()


def _k_range(cfg: dict) -> str:
    ks = degrees(cfg)
    return f"k = {ks[0]}…{ks[-1]}"


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    g = exponents(metrics)
    d, values = g.index.to_numpy(dtype=float), g.to_numpy(dtype=float)
    enough = len(g) >= 3 and bool(np.all(np.isfinite(values)))
    slope, intercept, r2 = linear_fit(d, values) if enough else (float("nan"),) * 3
    predicted = linear_fit(d, finite_k_exponent(d, degrees(cfg)))[0] if enough else float("nan")
    span = f"d = {d[0]:g}…{d[-1]:g} ({len(d)} values), {_k_range(cfg)}" if len(d) else "no d"
    linear = Claim(
        claim="growth_exponent_linear_in_d",
        statement="the exponent g(d) of 1/c_{d,k} ~ k^g(d) grows linearly with the sphere dimension d",
        measured=(
            (
                f"g(d) = {values[0]:.3f} at every d: no line (constant)"
                if enough and is_constant(values)
                else f"g(d) ≈ {slope:.4f} d + {intercept:.3f}, R² = {r2:.6f}"
            )
            + f" over {span}; "
            + (f"g({d[0]:g}) = {values[0]:.3f}, g({d[-1]:g}) = {values[-1]:.3f}; " if len(d) else "")
            + f"theory: slope 1 as k → ∞ (g → d + 1), {predicted:.4f} from the finite-k law at these k"
        ),
        threshold=(
            f"R² of the linear fit ≥ {limits['r2_min']} and slope in "
            f"[{limits['slope_min']}, {limits['slope_max']}], at least 3 dimensions"
        ),
        passed=bool(enough and r2 >= limits["r2_min"] and limits["slope_min"] <= slope <= limits["slope_max"]),
        note=CONTROL_NOTE,
        replication=EXACT,
    )
    small = d <= limits["small_d_max"]
    deviation = np.abs(values[small] - (d[small] + 1))
    worst = float(deviation.max()) if deviation.size else float("nan")
    worst_d = f"{d[small][int(np.argmax(deviation))]:g}" if deviation.size else "-"
    exponent = Claim(
        claim="exponent_is_input_dimension",
        statement=(
            "for small d, 1/c_{d,k} grows like k^(d+1) on S^d in R^(d+1), i.e. with the input "
            "dimension (k^2 on the circle, k^3 on S^2)"
        ),
        measured=(
            f"max |g(d) − (d + 1)| = {worst:.4f} (at d = {worst_d}) over the {int(small.sum())} "
            f"dimensions d ≤ {limits['small_d_max']}, {_k_range(cfg)}"
        ),
        threshold=f"≤ {limits['small_d_tol']} for every d ≤ {limits['small_d_max']}, at least one such d",
        passed=bool(deviation.size > 0 and np.all(np.isfinite(deviation)) and worst <= limits["small_d_tol"]),
        note=CONTROL_NOTE,
        replication=EXACT,
    )
    return [linear, exponent]
