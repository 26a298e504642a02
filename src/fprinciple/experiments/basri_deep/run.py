"""basri_deep, the run side: the learning-time sweep (``engines.sweep``) of each deep net on random
points of the circle, regressing sin(k(θ + φ)) or classifying its sign (the net's ``task``)."""

from __future__ import annotations

import numpy as np

from ...engines import sweep
from ...models import kaiming_mlp
from ...targets.sphere import circle_angles, on_circle, sine

CLASSES = 2  # classification: the sign of sin(k(θ + φ)), two logits

runs = sweep.runs


def data(rng, k: int, cfg: dict, net: dict):
    """Points on S¹ and sin(k(θ + φ)); for a classification net only the points where
    |sin| > margin, labelled 1 where it is positive and 0 where negative."""
    theta = circle_angles(cfg["points"]["n"], cfg["points"]["kind"], rng)
    x, y = on_circle(theta), sine(theta, k, phase=rng.uniform(-np.pi, np.pi))
    if net["task"] == "regression":
        return x, y
    kept = np.abs(y) > net["margin"]
    return x[kept], (y[kept] > 0).astype(float)


def build(generators, cfg: dict, net: dict):
    outputs = 1 if net["task"] == "regression" else CLASSES
    return kaiming_mlp(generators, 2, net["hidden"], net["residual"], outputs)


def run(cfg: dict, variant: dict, ctx):
    net = cfg["nets"][variant["net"]]
    return sweep.run_sweep(cfg, variant, ctx, lambda rng, k, cfg: data(rng, k, cfg, net), build)
