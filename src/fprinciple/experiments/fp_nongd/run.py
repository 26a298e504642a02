"""fp_nongd, the run side: one job per method trains each of its seeds in turn, a small tanh net whose
flattened parameters the method moves (``training.nongd``), logging ΔF at the peaks through the 1-D
engine's spectral hook against the method's own clock (``clock``), with the trainer's frozen and
mean controls and the 1-D engine's high-frequency-first learner (``opposite``)."""

from __future__ import annotations

import torch

from ...engines import fit1d
from ...training import RunContext, TrainResult, combine
from ...training.controls import standard
from ...training.nongd import FlatMSE, NonGDSpec, minimize_module
from . import clock, model_of

CPU = torch.device("cpu")  # the optimizers move numpy vectors: a tiny net stays on the CPU


def seeds_of(cfg: dict, method: str) -> list[int]:
    """A method's seeds: its own ``seeds`` (more for the cheap gradient methods), else the block's."""
    return list(cfg["methods"][method].get("seeds", cfg["seeds"]))


def runs(cfg: dict) -> dict[str, dict]:
    """One job per method, training each of its seeds in turn (a run of a small net takes about
    a second, less than a job's start)."""
    return {f"method-{method}": {"method": method, "seeds": seeds_of(cfg, method)} for method in cfg["methods"]}


def spec(settings: dict, method: str) -> NonGDSpec:
    """A method's plan from its config entry (schema.yaml fills in the defaults)."""
    return NonGDSpec(
        method=method,
        max_iterations=settings["max_iterations"],
        max_evaluations=settings.get("max_evaluations"),  # none: iterations bound the run
        log_every=settings["log_every"],
        log_every_evaluations=settings.get("log_every_evaluations"),  # none: the clock is iterations
        swarm_size=settings["swarm_size"],
        swarm_sigma=settings["swarm_sigma"],
        options=settings["options"],
    )


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    return combine([({"seed": seed}, fit(cfg, variant["method"], seed, ctx)) for seed in variant["seeds"]])


def fit(cfg: dict, method: str, seed: int, ctx: RunContext) -> TrainResult:
    """One net trained by `method` from the initialisation of `seed`, with its controls."""
    settings = cfg["methods"][method]
    model_cfg = model_of(cfg, method)
    x, y = fit1d.problem(cfg)
    torch.manual_seed(seed)
    model = fit1d.build_model(model_cfg, model_cfg["hidden"], model_cfg["activation"]).double()
    inputs = torch.as_tensor(x, dtype=torch.float64)[:, None]
    targets = torch.as_tensor(y, dtype=torch.float64)[:, None]
    plan = spec(settings, method)
    # The opposite control reveals the target over the first half of the planned clock.
    length = plan.max_evaluations if clock(settings) == "evaluations" else ctx.steps(plan.max_iterations)
    controls = standard(model, targets, "mse") | {fit1d.OPPOSITE: fit1d.opposite_control(cfg, x, y, length)}
    spectral = fit1d.spectral_hook(x, y, cfg, CPU)

    def hook(step: int, net: torch.nn.Module, last: bool):
        return spectral(step, lambda grid_points: net(grid_points.double()), last)

    result = minimize_module(
        model,
        lambda net: torch.mean((net(inputs) - targets) ** 2),
        plan,
        ctx,
        hooks=[hook],
        seed=seed,
        controls=controls,
        flat=FlatMSE.of(model, inputs, targets),
        stop=fit1d.stop_rule(cfg),
    )
    return TrainResult(
        records=result.records,
        steps=result.iterations,
        stopped_by=result.stopped_by,
        wall_s=result.wall_s,
        steps_per_s=result.iterations / result.wall_s if result.wall_s else float("nan"),
        resumed_from=0,
        planned_steps=plan.max_iterations,
        timings=(result.timing,),
    )
