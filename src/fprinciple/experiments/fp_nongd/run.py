"""fp_nongd — MXZ21 (lecture notes §1.6): the F-Principle without gradient descent.

The equal-amplitude 1-D target of fp1d_equal_amp (sin x + sin 3x + sin 5x) is fitted by a small
tanh net whose flattened parameters are handed to optimizers that take no gradient-descent steps
(``training.nongd``): scipy's conjugate gradient, BFGS and L-BFGS-B (they use the gradient) and
Powell's method, and nevergrad's particle swarm (they use loss values only). One job per
method trains each of its seeds. Each method logs ΔF at the target's peaks through the 1-D
engine's spectral hook, against its own clock: its iteration, or for Powell
(``log_every_evaluations``) the objective
evaluations, at which the best parameters so far are logged; every logged point also records
the evaluations spent. The nets run in float64 (scipy's line searches assume double precision);
the hook's float32 grid is cast for them.

Controls: the trainer's frozen and mean, and the 1-D engine's high-frequency-first learner
(``opposite``), which reveals the target from its highest frequency down over the first half of
the method's planned clock.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ...claims import Claim, strictly_increasing
from ...analysis import fit1d
from ...training import RunContext, TrainResult, combine
from ...training.controls import standard
from ...training.nongd import FlatMSE, NonGDSpec, minimize_module

PAPER_FIGURE = "Ma, Xu & Zhang 2021 (arXiv:2101.00747): the F-Principle under non-gradient-descent optimizers"
LABELS = {
    "cg": "conjugate gradient",
    "bfgs": "BFGS (quasi-Newton)",
    "l-bfgs-b": "L-BFGS-B (quasi-Newton)",
    "powell": "Powell's method (no gradient)",
    "pso": "particle swarm (no gradient)",
}
CPU = torch.device("cpu")  # the optimizers move numpy vectors: a tiny net stays on the CPU
SEEDS_LISTED = 5  # a row lists each seed's convergence points up to this many seeds


def dataset(cfg: dict) -> str:
    return "synthetic 1-D target sin x + sin 3x + sin 5x on a uniform grid"


def seeds_of(cfg: dict, method: str) -> list[int]:
    """A method's seeds: its own ``seeds`` (more for the cheap gradient methods), else the block's."""
    return list(cfg["methods"][method].get("seeds", cfg["seeds"]))


def runs(cfg: dict) -> dict[str, dict]:
    """One job per method, training each of its seeds in turn (a run of a small net takes about
    a second, less than a job's start)."""
    return {f"method-{method}": {"method": method, "seeds": seeds_of(cfg, method)} for method in cfg["methods"]}


def clock(settings: dict) -> str:
    """What a logged step counts for this method: its iterations or its objective evaluations."""
    return "evaluations" if settings.get("log_every_evaluations") else "iterations"


def spec(settings: dict, method: str) -> NonGDSpec:
    return NonGDSpec(
        method=method,
        max_iterations=settings["max_iterations"],
        max_evaluations=settings.get("max_evaluations"),
        log_every=settings.get("log_every", 1),
        log_every_evaluations=settings.get("log_every_evaluations"),
        swarm_size=settings.get("swarm_size", 40),
        swarm_sigma=settings.get("swarm_sigma", 1.0),
        options=settings.get("options", {}),
    )


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    return combine([({"seed": seed}, fit(cfg, variant["method"], seed, ctx)) for seed in variant["seeds"]])


def fit(cfg: dict, method: str, seed: int, ctx: RunContext) -> TrainResult:
    """One net trained by `method` from the initialisation of `seed`, with its controls."""
    settings = cfg["methods"][method]
    model_cfg = settings.get("model", cfg["model"])
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


def _evaluations_at(rows: pd.DataFrame, seed: int, step: float) -> float:
    """The evaluations the trained net had spent by `step` (NaN for a control: not logged)."""
    spent = rows[(rows["seed"] == seed) & (rows["metric"] == "evaluations") & (rows["step"] == step)]["value"]
    return float(spent.iloc[0]) if len(spent) else np.nan


def _steps(step: float) -> str:
    return "never" if np.isnan(step) else str(int(step))


def why_not_ordered(ks, steps) -> str:
    """What breaks "lower first" in one net: a peak that never converges, a tie or an inversion."""
    never = [k for k, s in zip(ks, steps) if np.isnan(s)]
    if never:
        return f"k = {', '.join(map(str, never))} never converge{'s' if len(never) == 1 else ''} within the run"
    for (k1, s1), (k2, s2) in zip(zip(ks, steps), list(zip(ks, steps))[1:]):
        if s1 == s2 and np.isfinite(s1):
            return f"k={k1} and k={k2} converge at the same logged point ({int(s1)})"
        if s1 > s2:
            return f"k={k2} converges before k={k1}"
    return ""


def order_claim(metrics: pd.DataFrame, cfg: dict, method: str) -> Claim:
    """For one method: each peak converges within the run, in increasing order of frequency, in
    every seed of the metrics (one seed's, when the rule judges it)."""
    settings, spectrum = cfg["methods"][method], cfg["spectrum"]
    rows = metrics[metrics["method"] == method] if "method" in metrics else metrics.iloc[:0]
    table = fit1d.convergence(rows, spectrum["threshold"], spectrum["window"])
    # Where the order fails, the first logged point below the threshold (a window of one) shows
    # whether a lower peak was fitted first and then pushed back above it by the method's steps.
    first_below = fit1d.convergence(rows, spectrum["threshold"], 1).set_index(["seed", "k"])["converged_at"]
    verdicts, parts, never = {}, [], set()
    failures = []
    for seed, g in table.sort_values("k").groupby("seed"):
        steps = g["converged_at"].to_numpy()
        verdicts[seed] = strictly_increasing(steps)
        if not verdicts[seed]:
            firsts = ", ".join(f"k={k}: {_steps(first_below.get((seed, k), np.nan))}" for k in g["k"])
            failures.append(
                f"seed {seed}: {why_not_ordered(g['k'].tolist(), steps)} (first logged point below the "
                f"threshold: {firsts})"
            )
        cells = []
        for k, at in zip(g["k"], steps):
            if np.isnan(at):
                never.add(int(k))
                cells.append(f"k={k}: never")
            else:
                spent = _evaluations_at(rows, seed, at)
                cells.append(
                    f"k={k}: {int(at)}"
                    + ("" if np.isnan(spent) or clock(settings) == "evaluations" else f" ({int(spent)} ev)")
                )
        parts.append(f"seed {seed}: " + ", ".join(cells))
    unit = clock(settings)
    if len(parts) > SEEDS_LISTED:  # many seeds: each peak's range; the failing seeds are in the note
        parts = [f"k={k}: {fit1d.spread(g['converged_at'])}" for k, g in table.groupby("k")]
    budget = (
        f"{settings['max_evaluations']} evaluations"
        if settings.get("max_evaluations")
        else f"{settings['max_iterations']} iterations"
    )
    notes = [f"order fails in {'; '.join(failures)}"] if failures else []
    if never:
        notes.append(
            f"k = {', '.join(map(str, sorted(never)))} did not converge within the run's budget ({budget}) "
            "in some seeds"
        )
    return Claim(
        claim=f"lower_peaks_first_{method.replace('-', '_')}",
        statement=f"trained by {LABELS[method]}, lower frequencies converge first",
        measured=f"converged at ({unit}): "
        + ("; ".join(parts) or "no runs")
        + f"; order holds in {sum(verdicts.values())}/{len(verdicts)} seeds",
        threshold=(
            f"ΔF < {spectrum['threshold']} for {spectrum['window']} consecutive logged {unit}; every peak "
            f"converges within the run ({budget}), at steps that strictly increase with k"
        ),
        passed=all(verdicts.values()) if verdicts else None,
        note="; ".join(notes),
    )


def claims(metrics: pd.DataFrame, cfg: dict) -> list[Claim]:
    return [order_claim(metrics, cfg, method) for method in cfg["methods"]]
