"""BJKK19 (deep-net learning-time figure): learning time vs k of the deep (regression) and
residual (classification) nets on S¹."""

from __future__ import annotations

import pandas as pd

from ...figures._sweeps import panels


def figure(metrics: pd.DataFrame, cfg: dict):
    return panels(metrics, cfg, "Deep ReLU nets on S¹: learning time of sin(k(θ + φ)) (classifiers: its sign)")
