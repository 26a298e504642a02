"""fp1d_equal_amp, the analysis side: with equal amplitudes the peaks converge in increasing order of frequency."""

from __future__ import annotations

from ...analysis.fit1d import order_claim


def claims(metrics, cfg: dict):
    return [order_claim(metrics, cfg, "with equal amplitudes, k=1 converges before k=3 before k=5")]
