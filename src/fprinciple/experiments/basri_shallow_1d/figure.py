"""BJKK19 (S¹ learning-time figure): learning time vs k of the two-layer net on S¹, with the eigenvalue prediction."""

from __future__ import annotations

import pandas as pd

from ...figures._sweeps import panels
from .claims import eigenvalues


def figure(metrics: pd.DataFrame, cfg: dict):
    return panels(metrics, cfg, "Two-layer ReLU net on S¹: learning time of sin(kθ)", eigenvalues)
