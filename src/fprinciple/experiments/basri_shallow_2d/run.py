"""basri_shallow_2d — BJKK19: the same two-layer net on the sphere S², target the zonal harmonic
of degree k; learning time grows like k³, and without bias odd k ≥ 3 are not learnable."""

from __future__ import annotations

from ...engines import sweep
from ...models import basri_shallow
from ...targets.sphere import sphere_points, unit_norm, zonal_harmonic
from ...theory.basri import sphere_eigenvalues

PAPER_FIGURE = (
    "Basri et al., NeurIPS 2019, the learning time vs k on S², without and with bias (figure number unconfirmed)"
)


def dataset(cfg: dict) -> str:
    return "synthetic: random points on the sphere S², target the zonal harmonic P_k(x₃) scaled to unit norm"


runs = sweep.runs


def data(rng, k: int, cfg: dict):
    x = sphere_points(cfg["points"]["n"], cfg["points"]["kind"], rng)
    return x, unit_norm(zonal_harmonic(x, k))


def build(generators, cfg: dict, net: dict):
    return basri_shallow(generators, 3, cfg["width"], net["weight_std"], net["bias"], cfg.get("symmetric_init", False))


def eigenvalues(k, bias: bool):
    """λ_k on S² of the net as trained (bias as b: input scale s = 1)."""
    return sphere_eigenvalues(k, d=3, bias=bias, input_scale=1.0)


def run(cfg: dict, variant: dict, ctx):
    return sweep.run_sweep(cfg, variant, ctx, data, build)


def claims(metrics, cfg: dict):
    return sweep.sweep_claims(metrics, cfg, eigenvalues)
