"""BJKK19 (S² learning-time figure): learning time vs k of the two-layer net on S², with the eigenvalue prediction."""

from __future__ import annotations

import pandas as pd

from ...figures._sweeps import panels
from .claims import eigenvalues


def figure(metrics: pd.DataFrame, cfg: dict):
    return panels(metrics, cfg, "Two-layer ReLU net on S²: learning time of the zonal harmonic P_k", eigenvalues)
