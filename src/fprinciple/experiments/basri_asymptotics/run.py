"""basri_asymptotics — BJKK19, exponent plot of the higher-dimensional eigenvalues: the NTK
eigenvalue c_{d,k} of frequency k on the sphere S^d decays like k^-g(d), and g(d) grows
linearly with d (g(d) -> d + 1 as k -> infinity).

No training: the single run evaluates the exact closed-form eigenvalues with bias
(``theory.basri.asymptotic_coefficients``, arbitrary precision) for every configured d and k and
fits g(d), the least-squares slope of log(1/c_{d,k}) against log k (the authors' fit, their
``Asymptotics/mainAndPlot.py``: even d = 2..100, k = 800..1000).

Dimension axis: ``d`` here is the authors' and the paper's: the sphere S^d in R^{d+1} (d = 1 is
the circle). ``theory.basri`` indexes by the ambient dimension, so c_{d,k} here is
``asymptotic_coefficients(d + 1, k)`` (the authors' c_{d,k} differs from it by a factor that
depends on d only, so g(d) is the same).

Metrics (step 0): ``growth_exponent`` and ``growth_intercept`` (key d: slope and intercept of
the fit); ``log_inverse_coefficient_d<d>`` (key k, value log(1/c_{d,k})) for each d in
``curve_dims``, for the figure.

Control: exact theory has no network to freeze and no target to average, so instead of the
frozen and mean controls the run logs the same metrics for a *perturbed* learner (``learner``
"perturbed"): the coefficients computed with the dimension left out, i.e. those of the smallest
configured d used for every d — the bug of a d-independent formula. Every claim must fail on it.
"""

from __future__ import annotations

import time

import mpmath as mp
import numpy as np
import pandas as pd
from scipy.special import digamma

from ...claims import EXACT, Claim
from ...learners import PERTURBED, TRAINED
from ...theory.basri import asymptotic_coefficients
from ...training import RunContext, TrainResult
from .. import seed_runs

PAPER_FIGURE = "Basri et al., NeurIPS 2019, fig. 6, right: the exponent g(d) of the higher-dimensional eigenvalues (authors' Asymptotics/mainAndPlot.py)"


def dataset(cfg: dict) -> str:
    return "none: exact NTK eigenvalues c_{d,k} (with bias) on the sphere S^d, closed form in mpmath"


runs = seed_runs

GROWTH, INTERCEPT, CURVE = "growth_exponent", "growth_intercept", "log_inverse_coefficient_d"
CONTROL_NOTE = (
    "exact theory, no network: no frozen or mean control; must fail instead on the perturbed "
    "learner (the smallest d's coefficients used for every d)"
)


def index_range(spec: dict) -> np.ndarray:
    """``{min, max, step}`` -> min, min + step, ... up to and including max when it is hit."""
    return np.arange(spec["min"], spec["max"] + 1, spec["step"])


def sphere_dims(cfg: dict) -> np.ndarray:
    return index_range(cfg["dims"])


def degrees(cfg: dict) -> np.ndarray:
    return index_range(cfg["degrees"])


def curve_metric(d: int) -> str:
    return f"{CURVE}{int(d)}"


def log_inverse_coefficients(d: int, ks: np.ndarray, dps: int) -> np.ndarray:
    """log(1/c_{d,k}) on S^d for each k, computed at ``dps`` digits and returned as floats."""
    with mp.workdps(dps):
        coefficients = asymptotic_coefficients(int(d) + 1, ks, dps=dps)
        return np.array([float(-mp.log(c)) for c in coefficients])


def fit_exponent(ks: np.ndarray, log_inverse: np.ndarray) -> tuple[float, float]:
    """(g, intercept): least-squares line of log(1/c_{d,k}) against log k."""
    slope, intercept = np.polyfit(np.log(np.asarray(ks, dtype=float)), log_inverse, 1)
    return float(slope), float(intercept)


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


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    """Fit g(d) for every configured d, and the same fit for the perturbed learner (module
    docstring); no randomness, so the seed changes nothing."""
    started = time.perf_counter()
    dims, ks, dps = sphere_dims(cfg), degrees(cfg), int(cfg["dps"])
    if len(dims) < 1 or len(ks) < 2:
        raise ValueError("basri_asymptotics: dims needs at least one value and degrees at least two")
    curves = {int(d) for d in cfg.get("curve_dims", ())}
    missing = sorted(curves - {int(d) for d in dims})
    if missing:
        raise ValueError(f"basri_asymptotics.curve_dims: {missing} not in dims {dims.tolist()}")
    rows = []

    def record(learner: str, d, log_inverse: np.ndarray) -> None:
        g, intercept = fit_exponent(ks, log_inverse)
        rows.extend([(0, GROWTH, float(d), g, learner), (0, INTERCEPT, float(d), intercept, learner)])
        if int(d) in curves:
            rows.extend((0, curve_metric(d), float(k), v, learner) for k, v in zip(ks, log_inverse))

    first_dimension = log_inverse_coefficients(dims[0], ks, dps)
    for d in ctx.progress_bar(iterable=dims, unit="d"):
        record(TRAINED, d, log_inverse_coefficients(d, ks, dps))
        record(PERTURBED, d, first_dimension)
    records = pd.DataFrame(rows, columns=["step", "metric", "key", "value", "learner"])
    return TrainResult(
        records=records,
        steps=0,
        stopped_by="computed",
        wall_s=time.perf_counter() - started,
        steps_per_s=float("nan"),
        resumed_from=0,
    )


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
