"""fp1d_equal_amp — XZLXM19 (lecture notes fig. 1.6): sin x + sin 3x + sin 5x with equal amplitudes, so that
frequency and not amplitude decides the order in which the peaks converge."""

from __future__ import annotations

from ...engines.fit1d import run_configured
from ...analysis.fit1d import order_claim
from .. import seed_jobs

PAPER_FIGURE = "Xu et al., CiCP 2020, equal amplitudes: ΔF at the three peaks over training (lecture notes fig. 1.6)"


def dataset(cfg: dict) -> str:
    return "synthetic 1-D target sin x + sin 3x + sin 5x on a uniform grid"


runs = seed_jobs
run = run_configured


def claims(metrics, cfg: dict):
    return [order_claim(metrics, cfg, "with equal amplitudes, k=1 converges before k=3 before k=5")]
