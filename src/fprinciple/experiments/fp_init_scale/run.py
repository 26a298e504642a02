"""fp_init_scale, the run side: one job trains both parts at every initialisation scale s for every
seed: the 1-D fit (full-batch Adam until the loss threshold, output and spectrum logged at step 0
and at the end) and the classifier (``engines.classify``)."""

from __future__ import annotations

import numpy as np
import torch

from ...engines.classify import build_model, fit, load_data
from ...engines.fit1d import problem
from ...models import MLP, evaluate
from ...spectral.dft import spectrum, uniform_grid
from ...targets.functions1d import make_target
from ...training import RunContext, TrainResult, TrainSpec, combine
from ...training.seeds import Member, batched, train_seeds
from .. import seed_jobs

PARTS = ("fit1d", "mnist")

# One job trains both parts at every scale for every seed (small nets: one job each would spend
# more time starting Python than training), one after another or batched (``ensemble``).
runs = seed_jobs


def high_frequency_fraction(values: np.ndarray, k_min: int) -> float:
    """Share of the non-constant spectral energy at DFT index k ≥ ``k_min`` (uniform grid); NaN
    for a constant (the mean control), which has no such energy to share."""
    power = np.abs(spectrum(values)) ** 2
    total = power[1:].sum()
    return float(power[k_min:].sum() / total) if total > 0 else np.nan


def run_fit1d(cfg: dict, s: float, seeds: list[int], ctx: RunContext) -> TrainResult:
    part = cfg["fit1d"]
    x, y = problem(part)
    grid = part["grid"]
    dense = uniform_grid(part["eval_points"], grid["low"], grid["high"], endpoint=False)
    k_min, max_freq = part["high_freq_min"], part["max_freq"]
    net = part["model"]
    dense_inputs = torch.as_tensor(dense, dtype=torch.float32, device=ctx.device)[:, None]

    def hook(step: int, model: torch.nn.Module, last: bool):
        h = evaluate(model, dense_inputs)
        if step == 0:
            yield "points", x, y
            yield "target", dense, make_target(dense, part["target"])
        yield "output", dense, h
        yield "spectrum", np.arange(max_freq + 1), np.abs(spectrum(h))[: max_freq + 1]
        yield "high_freq_energy", np.nan, high_frequency_fraction(h, k_min)

    opt = part["optimizer"]
    spec = TrainSpec(  # logs at step 0 and at the last step only
        steps=part["steps"],
        lr=opt["lr"],
        optimizer=opt["name"],
        momentum=opt["momentum"],
        loss_threshold=part["loss_threshold"],
        log_every=part["steps"],
    )
    inputs = torch.as_tensor(x, dtype=torch.float32, device=ctx.device)[:, None]
    targets = torch.as_tensor(y, dtype=torch.float32, device=ctx.device)[:, None]
    members = []
    for seed in seeds:
        torch.manual_seed(seed)
        model = MLP(1, 1, net["hidden"], net["activation"], s, net["bias"]).to(ctx.device)
        members.append(Member(seed, model, inputs, targets, hooks=[hook]))
    return train_seeds(members, spec, ctx, batched(cfg["ensemble"], ctx.device))


def run_mnist(cfg: dict, s: float, seeds: list[int], ctx: RunContext) -> TrainResult:
    part = cfg["mnist"]
    data = load_data(part["data"], ctx)
    models = {seed: build_model(part["net"], data, seed, init_std=s) for seed in seeds}
    return fit(part | {"ensemble": cfg["ensemble"]}, models, data, ctx)


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    """Train each part at each scale in turn; the records get ``part`` and ``init_std`` columns."""
    runners = {"fit1d": run_fit1d, "mnist": run_mnist}
    return combine(
        [
            ({"part": part, "init_std": s}, runners[part](cfg, s, variant["seeds"], ctx.part(f"{part}-init_std-{s:g}")))
            for part in PARTS
            for s in map(float, cfg["init_stds"])
        ]
    )
