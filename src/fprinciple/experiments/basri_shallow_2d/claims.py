"""basri_shallow_2d, the analysis side: the sweep's claims (``analysis.sweep``) against the
closed-form eigenvalues on the sphere S²."""

from __future__ import annotations

from ...analysis.sweep import sweep_claims
from ...theory.basri import sphere_eigenvalues


def eigenvalues(k, bias: bool):
    """λ_k on S² of the net as trained (bias as b: input scale s = 1)."""
    return sphere_eigenvalues(k, d=3, bias=bias, input_scale=1.0)


def claims(metrics, cfg: dict):
    return sweep_claims(metrics, cfg, eigenvalues)
