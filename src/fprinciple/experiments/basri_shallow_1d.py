"""basri_shallow_1d — BJKK19: a two-layer ReLU net learns sin(kθ) on the circle in a time that
grows like k², as the closed-form NTK eigenvalues predict; without bias odd k ≥ 3 are never learned."""

from __future__ import annotations

from ..models import basri_shallow
from ..targets.sphere import circle_angles, on_circle, sine, unit_norm
from ..theory.basri import circle_eigenvalues
from .basri_sweep import run_sweep, runs, sweep_claims

PAPER_FIGURE = "BJKK19 fig. 2 (learning time vs k on S¹, without and with bias)"
DATASET = "synthetic: random points on the circle S¹, target sin(kθ) scaled to unit norm"

__all__ = ["PAPER_FIGURE", "DATASET", "runs", "run", "claims"]


def data(rng, k: int, cfg: dict):
    theta = circle_angles(cfg["points"]["n"], cfg["points"]["kind"], rng)
    return on_circle(theta), unit_norm(sine(theta, k))


def build(generators, cfg: dict, net: dict):
    return basri_shallow(generators, 2, cfg["width"], net["weight_std"], net["bias"], cfg.get("symmetric_init", False))


def eigenvalues(k, bias: bool):
    """λ_k of the net as trained: the bias enters as b, i.e. input (x, 1) with scale s = 1."""
    return circle_eigenvalues(k, bias, input_scale=1.0)


def run(cfg: dict, variant: dict, ctx):
    return run_sweep(cfg, variant, ctx, data, build)


def claims(metrics, cfg: dict, scale: str):
    return sweep_claims("basri_shallow_1d", metrics, cfg, scale, eigenvalues)
