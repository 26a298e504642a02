"""basri_asymptotics, the run side: log(1/c_{d,k}) from the exact eigenvalues for every configured d
and k, the fit of g(d), and the same for the perturbed learner (the package docstring)."""

from __future__ import annotations

import time

import mpmath as mp
import numpy as np
import pandas as pd

from ...learners import PERTURBED, TRAINED
from ...theory.basri import asymptotic_coefficients
from ...training import RunContext, TrainResult
from .. import seed_runs
from . import GROWTH, INTERCEPT, curve_metric, degrees, sphere_dims

runs = seed_runs


def log_inverse_coefficients(d: int, ks: np.ndarray, dps: int) -> np.ndarray:
    """log(1/c_{d,k}) on S^d for each k, computed at ``dps`` digits and returned as floats."""
    with mp.workdps(dps):
        coefficients = asymptotic_coefficients(int(d) + 1, ks, dps=dps)
        return np.array([float(-mp.log(c)) for c in coefficients])


def fit_exponent(ks: np.ndarray, log_inverse: np.ndarray) -> tuple[float, float]:
    """(g, intercept): least-squares line of log(1/c_{d,k}) against log k."""
    slope, intercept = np.polyfit(np.log(np.asarray(ks, dtype=float)), log_inverse, 1)
    return float(slope), float(intercept)


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    """Fit g(d) for every configured d, and the same fit for the perturbed learner (package
    docstring); no randomness, so the seed changes nothing."""
    started = time.perf_counter()
    dims, ks, dps = sphere_dims(cfg), degrees(cfg), int(cfg["dps"])
    if len(dims) < 1 or len(ks) < 2:
        raise ValueError("basri_asymptotics: dims needs at least one value and degrees at least two")
    curves = {int(d) for d in cfg["curve_dims"]}
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
