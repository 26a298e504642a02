"""basri_shallow_1d, the analysis side: the sweep's claims (``analysis.sweep``) against the
closed-form eigenvalues on the circle."""

from __future__ import annotations

from ...analysis.sweep import sweep_claims
from ...theory.basri import circle_eigenvalues


def eigenvalues(k, bias: bool):
    """λ_k of the net as trained: the bias enters as b, i.e. input (x, 1) with scale s = 1."""
    return circle_eigenvalues(k, bias, input_scale=1.0)


def claims(metrics, cfg: dict):
    return sweep_claims(metrics, cfg, eigenvalues)
