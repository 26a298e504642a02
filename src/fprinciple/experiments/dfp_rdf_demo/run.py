"""dfp_rdf_demo — XZ20: the ratio density function (RDF) of sin(kπx) against the
filter frequency k0 = 1/δ, each curve normalised by its maximum: the lower the frequency k, the
closer the RDF's peak sits to zero, which is what makes the RDF a frequency measure for the
effective targets of dfp_resnet and dfp_layers.

No training: exact analysis of known functions (``spectral.lfr``). The target sin(kπx) is
sampled at ``points`` evenly spaced x in [−1, 1), which is one period of every integer k; the
interval is embedded as a circle of circumference 2 (radius 1/π), so the Gaussian filter sees no
boundary and the LFR has the closed form (I_k(κ)/I_0(κ))², κ = (k0/π)² (tests). Distances on the
circle are chords, within 1 % of the arc length for the filters that matter (1/k0 < 0.2).

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

from ...claims import EXACT, Claim
from ...learners import PERTURBED
from ...spectral.lfr import frequency_profile
from ...training import RunContext, TrainResult
from .. import seed_runs

PAPER_FIGURE = "Xu & Zhou, AAAI 2021, the RDF illustration: RDF of sin(kπx) vs 1/δ, each normalised by its maximum"
SUMMARIES = ("peak_k0", "mean_k0", "median_k0")

runs = seed_runs


def dataset(cfg: dict) -> str:
    return f"none: sin(kπx) at {cfg['points']} evenly spaced points of [−1, 1) (a circle), exact LFR/RDF"


def k0_grid(spec: dict) -> np.ndarray:
    """``{min, max, n}``: a geometric grid (the RDF spans a decade or more of k0)."""
    return np.geomspace(spec["min"], spec["max"], spec["n"])


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


def summaries(metrics: pd.DataFrame) -> pd.DataFrame:
    """Peak, mean and median k0 by k (rows, sorted), mean over runs (every seed computes the same
    numbers for the unperturbed sines)."""
    rows = metrics[metrics["metric"].isin(SUMMARIES)]
    return rows.pivot_table(index="frequency", columns="metric", values="value", aggfunc="mean").sort_index()


def expected_exponent(cfg: dict) -> float:
    """k0 is a frequency in the std convention (the peak scales like k) and a frequency squared in
    the variance convention (like k²): ``spectral.lfr``."""
    return 1.0 if cfg["delta_convention"] == "std" else 2.0


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    limits = cfg["claims"]
    table = summaries(metrics)
    ks = table.index.to_numpy(dtype=float)
    peaks = table["peak_k0"].to_numpy(dtype=float) if "peak_k0" in table else np.full(len(ks), np.nan)
    medians = table["median_k0"].to_numpy(dtype=float) if "median_k0" in table else np.full(len(ks), np.nan)
    ratios = peaks[1:] / peaks[:-1]
    top = k0_grid(cfg["k0"])[-1]
    inside = bool(len(peaks) >= 2 and np.all(np.isfinite(peaks)) and np.all(peaks < top))
    moves = inside and bool(np.all(ratios >= limits["min_peak_ratio"]))
    finite = len(ks) >= 2 and bool(np.all(np.isfinite(medians)))
    slope = float(np.polyfit(np.log(ks), np.log(medians), 1)[0]) if finite else float("nan")
    exponent = expected_exponent(cfg)
    listed = ", ".join(f"k={k:g}: {p:.3g}" for k, p in zip(ks, peaks))
    return [
        Claim(
            claim="rdf_peak_moves_up",
            statement="the lower the frequency of sin(kπx), the closer its RDF peak sits to zero: the peak moves up with k",
            measured=f"RDF peak k0 ({listed}); consecutive ratios "
            + (", ".join(f"{r:.3g}" for r in ratios) if len(ratios) else "none")
            + ("" if inside else f"; a peak is at the grid's top {top:g} or undefined"),
            threshold=f"every peak inside the k0 grid and each ≥ {limits['min_peak_ratio']} × the previous one (k ascending)",
            passed=moves,
            note="exact analysis; fails on the perturbed input (positions shuffled: the same values as white noise)",
            replication=EXACT,
        ),
        Claim(
            claim="median_k0_proportional_to_k",
            statement="1/δ is a frequency: the median k0 of the energy (LFR = 1/2) grows like k "
            "(like k² in the variance convention)",
            measured=f"log-log slope of median k0 vs k: {slope:.3f}, expected {exponent:g} (median k0: "
            + ", ".join(f"k={k:g}: {m:.3g}" for k, m in zip(ks, medians))
            + ")",
            threshold=f"slope / {exponent:g} within 1 ± {limits['exponent_tolerance']} (all medians inside the grid)",
            passed=bool(np.isfinite(slope) and abs(slope / exponent - 1) <= limits["exponent_tolerance"]),
            note="exact analysis; fails on the perturbed input (positions shuffled)",
            replication=EXACT,
        ),
    ]
