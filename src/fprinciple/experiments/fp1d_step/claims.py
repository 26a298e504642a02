"""fp1d_step, the analysis side: the step's spectral peaks converge in increasing order of frequency."""

from __future__ import annotations

from ...analysis.fit1d import order_claim


def claims(metrics, cfg: dict):
    return [
        order_claim(metrics, cfg, "the spectral peaks of the step function converge in increasing order of frequency")
    ]
