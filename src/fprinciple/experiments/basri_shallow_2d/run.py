"""basri_shallow_2d, the run side: the learning-time sweep (``engines.sweep``) of the two-layer net
on random points of the sphere S², target the zonal harmonic P_k(x₃) scaled to unit norm."""

from __future__ import annotations

from ...engines import sweep
from ...models import basri_shallow
from ...targets.sphere import sphere_points, unit_norm, zonal_harmonic

runs = sweep.runs


def data(rng, k: int, cfg: dict):
    x = sphere_points(cfg["points"]["n"], cfg["points"]["kind"], rng)
    return x, unit_norm(zonal_harmonic(x, k))


def build(generators, cfg: dict, net: dict):
    return basri_shallow(generators, 3, cfg["width"], net["weight_std"], net["bias"], cfg["symmetric_init"])


def run(cfg: dict, variant: dict, ctx):
    return sweep.run_sweep(cfg, variant, ctx, data, build)
