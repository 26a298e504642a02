"""basri_deep, the analysis side: the sweep's claims (``analysis.sweep``); no closed-form
prediction for a deep net, so only every k learned and the log-log slope."""

from __future__ import annotations

from ...analysis.sweep import sweep_claims


def claims(metrics, cfg: dict):
    return sweep_claims(metrics, cfg)
