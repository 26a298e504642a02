"""fp1d_step — seed 004 figs 1.4–1.5: a periodic three-valued step function fitted by MSE;
the network captures the outline (low frequencies) before the steps (high frequencies)."""

from __future__ import annotations

from . import seed_runs
from .fit1d import order_claim, run_configured

PAPER_FIGURE = "seed 004 figs 1.4–1.5 (XZX18)"
DATASET = "synthetic 1-D periodic step function with three values, densely sampled"

runs = seed_runs
run = run_configured


def claims(metrics, cfg: dict, scale: str):
    return [
        order_claim(
            "fp1d_step", metrics, cfg, scale,
            "the spectral peaks of the step function converge in increasing order of frequency",
        )
    ]
