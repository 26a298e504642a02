"""dfp_depth, the run side: one job trains every net of both sweeps in turn (parts), each net for
every seed, one after another or as one batched ensemble (``ensemble``). A net stops at the first
full-batch step with MSE / mean(y²) below ``relative_loss_threshold`` (the trainer's
``loss_threshold``) or at ``steps``. Metrics: the trainer's ``train_loss`` per learner, and at
step 0 ``target_energy`` (mean y²); columns ``sweep`` (depth or frequency), ``depth`` and
``frequency`` (the target's highest frequency).

Controls: frozen and mean never reach the level; ``uniform_rate`` is a learner with no depth
and no frequency dependence at all: h_t = ȳ + (y − ȳ)(1 − e^{−t/τ}) on any input (y the target
function), τ set so that it reaches the level half-way through the first logging interval, so
its logged steps-to-level is ``log_every`` in every run: the claims must reject it for ties.
"""

from __future__ import annotations

import numpy as np
import torch

from ...models import MLP
from ...training import RunContext, TrainResult, TrainSpec, combine
from ...training.controls import Control
from ...training.seeds import Member, batched, train_seeds
from .. import seed_jobs
from . import DEPTH, FREQUENCY

UNIFORM_RATE = "uniform_rate"  # the control's learner name

runs = seed_jobs  # one job: every depth and every frequency of the two sweeps, every seed


def cosines(x: torch.Tensor, frequencies) -> torch.Tensor:
    return sum(torch.cos(k * x) for k in frequencies)


class UniformRate(Control):
    """Approaches the target function exponentially at one fixed rate on every input:
    h_t(x) = m + (f(x) − m)(1 − e^{−t/τ}), m the target's mean on the training grid. The loss
    mean((f − m)²) e^{−2t/τ} reaches ``relative_threshold`` × mean(f²) at step ``reach_step``
    for any zero-mean target (τ from that), whatever the depth or the frequency."""

    def __init__(self, frequencies, mean: float, relative_threshold: float, reach_step: float):
        super().__init__()
        self.frequencies = list(frequencies)
        self.mean = mean
        self.tau = 2 * reach_step / np.log(1 / relative_threshold)
        self.step = 0

    def at(self, step: int) -> UniformRate:
        self.step = step
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        fitted = 1 - np.exp(-self.step / self.tau)
        return self.mean + (cosines(x, self.frequencies) - self.mean) * fitted


def fit(cfg: dict, depth: int, frequencies, seeds: list[int], ctx: RunContext) -> TrainResult:
    """One net of ``depth`` hidden layers per seed on the cosines of ``frequencies``."""
    grid_cfg = cfg["grid"]
    x = torch.linspace(grid_cfg["low"], grid_cfg["high"], grid_cfg["n"], device=ctx.device)[:, None]
    y = cosines(x, frequencies)
    energy = y.square().mean().item()
    relative = cfg["relative_loss_threshold"]
    optimizer = cfg["optimizer"]
    spec = TrainSpec(
        steps=cfg["steps"],
        lr=optimizer["lr"],
        optimizer=optimizer["name"],
        loss="mse",
        loss_threshold=relative * energy,
        log_every=cfg["log_every"],
    )
    controls = {UNIFORM_RATE: UniformRate(frequencies, y.mean().item(), relative, cfg["log_every"] / 2)}

    def energy_hook(step: int, net: torch.nn.Module, last: bool):
        if step == 0:
            yield "target_energy", np.nan, energy

    members = []
    for seed in seeds:
        torch.manual_seed(seed)
        model = MLP(1, 1, [cfg["width"]] * depth, cfg["activation"], cfg["init_std"], True).to(ctx.device)
        members.append(Member(seed, model, x, y, hooks=[energy_hook], controls=controls))
    return train_seeds(members, spec, ctx, batched(cfg["ensemble"], ctx.device))


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    seeds, parts = variant["seeds"], []
    depth_sweep, frequency_sweep = cfg["depth_sweep"], cfg["frequency_sweep"]
    for depth in depth_sweep["depths"]:
        result = fit(cfg, depth, depth_sweep["frequencies"], seeds, ctx.part(f"depth-{depth}"))
        parts.append(({"sweep": DEPTH, "depth": depth, "frequency": max(depth_sweep["frequencies"])}, result))
    for k in frequency_sweep["frequencies"]:
        result = fit(cfg, frequency_sweep["depth"], [k], seeds, ctx.part(f"frequency-{k}"))
        parts.append(({"sweep": FREQUENCY, "depth": frequency_sweep["depth"], "frequency": k}, result))
    return combine(parts)
