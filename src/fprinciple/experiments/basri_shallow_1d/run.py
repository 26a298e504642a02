"""basri_shallow_1d — BJKK19: a two-layer ReLU net learns sin(kθ) on the circle in a time that
grows like k², as the closed-form NTK eigenvalues predict; without bias odd k ≥ 3 are never learned."""

from __future__ import annotations

from ...engines import sweep
from ...models import basri_shallow
from ...targets.sphere import circle_angles, on_circle, sine, unit_norm
from ...theory.basri import circle_eigenvalues

PAPER_FIGURE = (
    "Basri et al., NeurIPS 2019, the learning time vs k on S¹, without and with bias (figure number unconfirmed)"
)


def dataset(cfg: dict) -> str:
    return "synthetic: random points on the circle S¹, target sin(kθ) scaled to unit norm"


runs = sweep.runs


def data(rng, k: int, cfg: dict):
    theta = circle_angles(cfg["points"]["n"], cfg["points"]["kind"], rng)
    return on_circle(theta), unit_norm(sine(theta, k))


def build(generators, cfg: dict, net: dict):
    return basri_shallow(generators, 2, cfg["width"], net["weight_std"], net["bias"], cfg.get("symmetric_init", False))


def eigenvalues(k, bias: bool):
    """λ_k of the net as trained: the bias enters as b, i.e. input (x, 1) with scale s = 1."""
    return circle_eigenvalues(k, bias, input_scale=1.0)


def run(cfg: dict, variant: dict, ctx):
    return sweep.run_sweep(cfg, variant, ctx, data, build)


def claims(metrics, cfg: dict):
    return sweep.sweep_claims(metrics, cfg, eigenvalues)
