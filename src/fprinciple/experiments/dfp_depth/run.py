"""dfp_depth — XZ20 fig. 1: deeper is faster. Fully connected nets of equal width and
1 … N hidden layers fit cos 3x + cos 5x; the number of steps until the training loss first falls
below a fixed level drops with depth. Second panel: one fixed net on targets cos(kx) of rising
frequency k needs more steps the higher k (the F-Principle the paper builds on).

Settings the paper does not publish (widths, optimizer, learning rate, loss level, the interval)
are our choice (config/README.md, docs). The loss level is relative: the run stops at the first
full-batch step with MSE / mean(y²) below ``relative_loss_threshold`` (the trainer's
``loss_threshold``; "steps to a fixed training error", first reach, as in BJKK19's code), or at
``steps``.

One job trains every net of both sweeps in turn (parts), each net for every seed, one after
another or as one batched ensemble (``ensemble``). Metrics: the trainer's
``train_loss`` per learner, and at step 0 ``target_energy`` (mean y²); columns ``sweep`` (depth
or frequency), ``depth`` and ``frequency`` (the target's highest frequency).

Controls: frozen and mean never reach the level; ``uniform_rate`` is a learner with no depth
and no frequency dependence at all: h_t = ȳ + (y − ȳ)(1 − e^{−t/τ}) on any input (y the target
function), τ set so that it reaches the level half-way through the first logging interval, so
its logged steps-to-level is ``log_every`` in every run: the claims must reject it for ties.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ...claims import Claim
from ...models import MLP
from ...training import RunContext, TrainResult, TrainSpec, combine
from ...training.controls import Control
from ...training.seeds import Member, batched, train_seeds
from .. import seed_jobs

PAPER_FIGURE = (
    "Xu & Zhou, AAAI 2021, fig. 1: steps to a fixed training loss vs the number of hidden layers (cos 3x + cos 5x)"
)
UNIFORM_RATE = "uniform_rate"
DEPTH, FREQUENCY = "depth", "frequency"


def dataset(cfg: dict) -> str:
    sweep = cfg["depth_sweep"]
    return (
        f"synthetic 1-D: {target_name(sweep['frequencies'])} (depth sweep) and cos(kx), k = "
        f"{', '.join(map(str, cfg['frequency_sweep']['frequencies']))} (frequency sweep), at {cfg['grid']['n']} "
        f"points of [{cfg['grid']['low']:.4g}, {cfg['grid']['high']:.4g}]"
    )


runs = seed_jobs  # one job: every depth and every frequency of the two sweeps, every seed


def target_name(frequencies) -> str:
    return " + ".join(f"cos {k:g}x" if k != 1 else "cos x" for k in frequencies)


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
    return train_seeds(members, spec, ctx, batched(cfg.get("ensemble", "auto"), ctx.device))


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


def steps_to_threshold(metrics: pd.DataFrame, cfg: dict) -> pd.DataFrame:
    """Per sweep, depth, frequency and seed: the first logged step whose training loss is below
    the relative threshold (NaN: never within the run)."""
    loss = metrics[metrics["metric"] == "train_loss"]
    energy = (
        metrics[metrics["metric"] == "target_energy"].groupby(["sweep", "depth", "frequency", "seed"])["value"].first()
    )
    keys = ["sweep", "depth", "frequency", "seed"]
    rows = []
    for key, group in loss.groupby(keys, sort=True):
        below = group[group["value"] < cfg["relative_loss_threshold"] * energy.get(key, np.nan)]
        rows.append((*key, float(below["step"].min()) if len(below) else np.nan))
    return pd.DataFrame(rows, columns=[*keys, "steps"])


def _sweep_claim(
    table: pd.DataFrame, axis: str, direction: int, min_factor: float, claim: str, statement: str, cfg: dict
) -> Claim:
    """The steps (their mean over the seeds in ``table``: one seed's, when the rule judges it)
    strictly fall (``direction`` −1) or rise (+1) along ``axis``, by at least ``min_factor`` from
    one end to the other; every run must reach the loss level."""
    runs = table.sort_values(axis)
    converged = int(runs["steps"].notna().sum())
    means = runs.groupby(axis)["steps"].mean()  # NaN if any seed never reached the level
    means = means.where(runs.groupby(axis)["steps"].apply(lambda s: s.notna().all()))
    values = means.to_numpy(dtype=float)
    ordered = bool(len(values) >= 2 and np.all(np.isfinite(values)) and np.all(direction * np.diff(values) > 0))
    factor = (values[-1] / values[0]) ** direction if len(values) >= 2 and values[0] > 0 else float("nan")
    per_seed = "; ".join(
        f"seed {seed}: " + ", ".join("never" if np.isnan(s) else f"{s:.0f}" for s in group.sort_values(axis)["steps"])
        for seed, group in runs.groupby("seed")
    )
    listed = ", ".join(f"{axis} {key:g}: " + ("never" if np.isnan(v) else f"{v:.0f}") for key, v in means.items())
    word = "fall" if direction < 0 else "rise"
    return Claim(
        claim=claim,
        statement=statement,
        measured=f"mean steps to MSE/mean(y²) < {cfg['relative_loss_threshold']:g} over seeds: {listed} "
        f"(end-to-end factor {factor:.3g}; {converged}/{len(runs)} runs reached it; {per_seed})",
        threshold=f"every run reaches the level within {cfg['steps']} steps; the steps strictly {word} with "
        f"{axis}, by a factor ≥ {min_factor:g} from the first {axis} to the last",
        passed=bool(ordered and converged == len(runs) and factor >= min_factor) if len(runs) else None,
    )


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    table = steps_to_threshold(metrics, cfg)
    limits = cfg["claims"]
    return [
        _sweep_claim(
            table[table["sweep"] == DEPTH],
            "depth",
            -1,
            limits["min_speedup"],
            "deeper_is_faster",
            f"with equal widths, deeper nets need fewer steps to fit {target_name(cfg['depth_sweep']['frequencies'])}",
            cfg,
        ),
        _sweep_claim(
            table[table["sweep"] == FREQUENCY],
            "frequency",
            +1,
            limits["min_slowdown"],
            "higher_frequency_is_slower",
            f"one fixed net ({cfg['frequency_sweep']['depth']} hidden layers) needs more steps for cos(kx) the higher k",
            cfg,
        ),
    ]
