"""dfp_rdf_demo, the run side (no training): the exact LFR/RDF of sin(kπx) (``spectral.lfr``).
The target is sampled at ``points`` evenly spaced x in [−1, 1), which is one period of every
integer k; the interval is embedded as a circle of circumference 2 (radius 1/π), so the Gaussian
filter sees no boundary and the LFR has the closed form (I_k(κ)/I_0(κ))², κ = (k0/π)² (tests).
Distances on the circle are chords, within 1 % of the arc length for the filters that matter
(1/k0 < 0.2).

**Perturbed input** (the claim must fail on it, issue 9's rule for exact analysis): learner
``perturbed`` measures the same sample values at randomly permuted positions (the run's seed):
every sine becomes white noise with the same value distribution, so nothing ties the RDF to k.

Metrics (step 0, one row per value, a ``frequency`` column holding k): ``lfr`` and ``rdf`` (key
k0), ``peak_k0`` (argmax of the RDF), ``mean_k0`` and ``median_k0`` (``spectral.lfr``).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ...families.effective_target import k0_grid
from ...learners import PERTURBED
from ...spectral.lfr import frequency_profile
from ...training import RunContext, TrainResult
from .. import seed_runs

runs = seed_runs


def circle_points(n: int) -> tuple[np.ndarray, np.ndarray]:
    """x in [−1, 1) and its place on the circle of circumference 2: (n,) and (n, 2)."""
    x = -1 + 2 * np.arange(n) / n
    return x, np.stack([np.cos(np.pi * x), np.sin(np.pi * x)], axis=1) / np.pi


def profile_rows(points: np.ndarray, values: np.ndarray, k0: np.ndarray, cfg: dict, k: float, learner: str) -> list:
    profile = frequency_profile(
        points, values, k0, delta_convention=cfg["delta_convention"], normalisation=cfg["normalisation"]
    )
    scalars = {
        "peak_k0": k0[np.argmax(profile.rdf)],
        "mean_k0": profile.mean_frequency,
        "median_k0": profile.median_frequency,
    }
    rows = [(0, "lfr", q, v, k, learner) for q, v in zip(k0, profile.lfr)]
    rows += [(0, "rdf", q, v, k, learner) for q, v in zip(k0, profile.rdf)]
    return rows + [(0, name, np.nan, value, k, learner) for name, value in scalars.items()]


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    started = time.perf_counter()
    x, points = circle_points(cfg["points"])
    shuffled = points[np.random.default_rng(variant["seed"]).permutation(len(points))]
    k0 = k0_grid(cfg["k0"])
    rows = []
    for k in cfg["frequencies"]:
        values = np.sin(k * np.pi * x)
        rows += profile_rows(points, values, k0, cfg, k, "trained")
        rows += profile_rows(shuffled, values, k0, cfg, k, PERTURBED)
    records = pd.DataFrame(rows, columns=["step", "metric", "key", "value", "frequency", "learner"])
    return TrainResult(
        records=records,
        steps=0,
        stopped_by="computed",
        wall_s=time.perf_counter() - started,
        steps_per_s=float("nan"),
        resumed_from=0,
    )
