"""basri_shallow_2d, the analysis side: the sweep's claims (``analysis.sweep``) against the
closed-form eigenvalues on the sphere S²."""

from __future__ import annotations

from ...analysis.sweep import sweep_claims
from . import eigenvalues


def claims(metrics, cfg: dict):
    return sweep_claims(metrics, cfg, eigenvalues)
