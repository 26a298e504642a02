"""basri_deep — BJKK19: deep (and residual) ReLU nets also learn sin(k(θ + φ)) in a time that
grows roughly like k², beyond the two-layer theory."""

from __future__ import annotations

import numpy as np

from ..engines import sweep
from ..models import kaiming_mlp
from ..targets.sphere import circle_angles, on_circle, sine

PAPER_FIGURE = "BJKK19, the learning time vs k for a deep net and a residual net (figure number unconfirmed)"


def dataset(cfg: dict) -> str:
    return "synthetic: random points on the circle S¹, target sin(k(θ + φ)) with a random phase φ"

runs = sweep.runs


def data(rng, k: int, cfg: dict):
    theta = circle_angles(cfg["points"]["n"], cfg["points"]["kind"], rng)
    return on_circle(theta), sine(theta, k, phase=rng.uniform(-np.pi, np.pi))


def build(generators, cfg: dict, net: dict):
    return kaiming_mlp(generators, 2, net["hidden"], net.get("residual", False))


def run(cfg: dict, variant: dict, ctx):
    return sweep.run_sweep(cfg, variant, ctx, data, build)


def claims(metrics, cfg: dict):
    return sweep.sweep_claims(metrics, cfg)
