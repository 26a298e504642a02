"""basri_deep — BJKK19: deep (and residual) ReLU nets also learn frequency k in a time that
grows roughly like k², beyond the two-layer theory.

The authors ran two tasks (Deep/deep5_1D, Deep/crossRes10_1D): a plain net regressing
sin(k(θ + φ)) on the MSE, and a residual net classifying the sign of sin(k(θ + φ)) with two
logits and cross-entropy, on the points where |sin| > 2/3 only. A net's `task` chooses which.
"""

from __future__ import annotations

import numpy as np

from ...engines import sweep
from ...models import kaiming_mlp
from ...targets.sphere import circle_angles, on_circle, sine

PAPER_FIGURE = (
    "Basri et al., NeurIPS 2019, the learning time vs k for a deep net and a residual net (figure number unconfirmed)"
)
CLASSES = 2  # classification: the sign of sin(k(θ + φ)), two logits


def dataset(cfg: dict) -> str:
    return "synthetic: random points on the circle S¹, target sin(k(θ + φ)) (or its sign) with a random phase φ"


runs = sweep.runs


def data(rng, k: int, cfg: dict, net: dict):
    """Points on S¹ and sin(k(θ + φ)); for a classification net only the points where
    |sin| > margin, labelled 1 where it is positive and 0 where negative."""
    theta = circle_angles(cfg["points"]["n"], cfg["points"]["kind"], rng)
    x, y = on_circle(theta), sine(theta, k, phase=rng.uniform(-np.pi, np.pi))
    if net.get("task", "regression") == "regression":
        return x, y
    kept = np.abs(y) > net["margin"]
    return x[kept], (y[kept] > 0).astype(float)


def build(generators, cfg: dict, net: dict):
    outputs = 1 if net.get("task", "regression") == "regression" else CLASSES
    return kaiming_mlp(generators, 2, net["hidden"], net.get("residual", False), outputs)


def run(cfg: dict, variant: dict, ctx):
    net = cfg["nets"][variant["net"]]
    return sweep.run_sweep(cfg, variant, ctx, lambda rng, k, cfg: data(rng, k, cfg, net), build)


def claims(metrics, cfg: dict):
    return sweep.sweep_claims(metrics, cfg)
