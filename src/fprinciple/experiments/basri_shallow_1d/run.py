"""basri_shallow_1d, the run side: the learning-time sweep (``engines.sweep``) of the two-layer net
on random points of the circle, target sin(kθ) scaled to unit norm."""

from __future__ import annotations

from ...engines import sweep
from ...models import basri_shallow
from ...targets.sphere import circle_angles, on_circle, sine, unit_norm

runs = sweep.runs


def data(rng, k: int, cfg: dict):
    theta = circle_angles(cfg["points"]["n"], cfg["points"]["kind"], rng)
    return on_circle(theta), unit_norm(sine(theta, k))


def build(generators, cfg: dict, net: dict):
    return basri_shallow(generators, 2, cfg["width"], net["weight_std"], net["bias"], cfg["symmetric_init"])


def run(cfg: dict, variant: dict, ctx):
    return sweep.run_sweep(cfg, variant, ctx, data, build)
