"""fp_poisson, the run side — XZLXM19: a DNN and Jacobi iteration solve −u'' = g on [−1, 1], u(±1) = 0, in
opposite frequency orders, and a DNN-then-Jacobi hybrid uses both.

The exact solution is a sine series Σ a_k sin(kπx) (``targets.poisson_problem``), so it meets the
boundary conditions and each of its modes is an eigenvector of the finite-difference Laplacian.
One job per seed runs three solvers on the same grid of N interior points:

- ``dnn``: an MLP trained by Adam on a loss of the equation plus a boundary penalty
  (``dnn.loss``: the Ritz energy or the strong-form residual, ``targets.poisson``), on the grid
  and its two boundary points;
- ``jacobi``: weighted Jacobi sweeps on the FD system from u = 0 (``theory.jacobi``);
- ``hybrid``: the DNN for ``hybrid.dnn_steps`` steps, then Jacobi from its values on the grid.

Iterations are counted alike: one DNN step (one full-batch Adam update) and one Jacobi sweep are
one iteration each; the hybrid's count is its DNN steps plus its sweeps. Wall time since the
solver's start is logged too (``wall_s``, logging included): a sweep costs microseconds, a DNN
step about a millisecond.

Every logged iteration records, on the interior grid, the relative L² error ‖u_it − u‖ / ‖u‖
against the exact solution u, each solution mode's relative error |c_k(u_it) − c_k(u)| / |c_k(u)|
(``mode_error``, key k) and the error's sine spectrum |c_κ(u_it − u)| (``error_spectrum``, DST-I,
key κ = j/2 ≤ ``spectrum_max``; sin(kπx) is κ = k).

Controls (same metrics, same code): ``frozen`` (the DNN as initialised; the Jacobi iterate u = 0,
never swept; the hybrid from the frozen net), ``mean`` (the trainer's constant, the mean of g; the
Jacobi iterate held at it; the hybrid from it) and ``opposite``: each solver's first stage
replaced by the solver known to go the other way. The DNN's rows hold Jacobi's history, Jacobi's
rows the DNN's, and the hybrid starts with Jacobi instead of the DNN, which makes it Jacobi alone.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd
import torch

from ...learners import FROZEN, MEAN, OPPOSITE, TRAINED
from ...models.mlp import MLP
from ...targets.poisson import LOSSES, closed_grid, interior_grid, make_problem
from ...theory.jacobi import jacobi_sweep, mode_wavenumbers, sine_coefficients
from ...training import RunContext, TrainResult, TrainSpec, combine, train
from ...training.seeds import seeds_in_turn
from ...training.timing import LoopTiming, Stopwatch, logging_points
from ...training.trainer import records_frame
from .. import seed_jobs

runs = seed_jobs  # one job: each seed in turn (one Python start-up)


class Measure:
    """The error metrics of an iterate, given by its values on the interior grid."""

    def __init__(self, cfg: dict):
        problem = make_problem(cfg["problem"])
        self.x, self.h = interior_grid(cfg["n_interior"])
        self.u = problem.solution(self.x)
        self.g = problem.forcing(self.x)
        self.kappa = mode_wavenumbers(cfg["n_interior"])
        self.modes = np.array(problem.wavenumbers, dtype=np.float64)
        self.mode_index = np.searchsorted(self.kappa, self.modes)
        self.spectrum_index = np.flatnonzero(self.kappa <= cfg["spectrum_max"])
        self.u_hat = sine_coefficients(self.u)

    def __call__(self, values: np.ndarray):
        error_hat = sine_coefficients(values) - self.u_hat
        yield "rel_error", np.nan, np.linalg.norm(values - self.u) / np.linalg.norm(self.u)
        yield "mode_error", self.modes, np.abs(error_hat[self.mode_index]) / np.abs(self.u_hat[self.mode_index])
        yield "error_spectrum", self.kappa[self.spectrum_index], np.abs(error_hat[self.spectrum_index])


def build_model(cfg: dict) -> MLP:
    m = cfg["dnn"]["model"]
    return MLP(1, 1, m["hidden"], m["activation"], m["init_std"], m["bias"], init=m["init"])


def train_dnn(cfg: dict, seed: int, ctx: RunContext, measure: Measure, handover: int) -> TrainResult:
    """The DNN on the equation's loss, logged with its controls; at the hand-over step and the
    last it also logs its values on the interior grid (``grid_values``), the hybrid's start."""
    dnn = cfg["dnn"]
    torch.manual_seed(seed)
    model = build_model(cfg).to(ctx.device)
    grid = closed_grid(cfg["n_interior"])
    points = torch.as_tensor(grid, dtype=torch.float32, device=ctx.device)[:, None]
    forcing = torch.as_tensor(make_problem(cfg["problem"]).forcing(grid), dtype=torch.float32, device=ctx.device)[
        :, None
    ]
    interior = points[1:-1]
    loss, beta = LOSSES[dnn["loss"]], dnn["boundary_weight"]
    start = time.perf_counter()

    def hook(step: int, net: torch.nn.Module, last: bool):
        with torch.no_grad():
            values = net(interior)[:, 0].cpu().numpy().astype(np.float64)
        yield from measure(values)
        if net is model:
            yield "wall_s", np.nan, time.perf_counter() - start
        if step == handover or last:
            yield "grid_values", measure.x, values

    opt = dnn["optimizer"]
    spec = TrainSpec(
        steps=dnn["steps"], lr=opt["lr"], optimizer=opt["name"], log_every=dnn["log_every"], log_steps=(handover,)
    )
    return train(
        model,
        points,
        forcing,
        spec,
        ctx,
        hooks=[hook],
        seed=seed,
        objective=lambda net, xb, gb: loss(net, xb, gb, beta),
    )


def sweep_records(
    measure: Measure,
    starts: dict[str, tuple[np.ndarray, bool]],
    sweeps: int,
    omega: float,
    log_every: int,
    first_step: int = 0,
    wall_start: float = 0.0,
    watch: Stopwatch | None = None,
) -> list:
    """Jacobi from each learner's start: records at sweeps 0, log_every, ..., the last, with
    step = ``first_step`` + sweep. ``starts`` maps a learner to (initial interior values, whether
    it sweeps); a learner that does not sweep keeps its start (a control that never iterates).
    ``watch`` times each learner's measurements apart from the sweeps (the cost table)."""
    watch = watch or Stopwatch()
    records = []
    nan = np.array([np.nan])
    for name, (values, sweeping) in starts.items():
        u = np.array(values, dtype=np.float64)
        start = time.perf_counter()
        for sweep in range(sweeps + 1):
            if sweep and sweeping:
                u = jacobi_sweep(u, measure.g, measure.h, omega)
            if sweep % log_every == 0 or sweep == sweeps:
                step = first_step + sweep
                with watch.logging():
                    for metric, key, value in measure(u):
                        value = np.atleast_1d(np.asarray(value, dtype=np.float64))
                        records.append(
                            (step, name, metric, np.broadcast_to(np.asarray(key, dtype=np.float64), value.shape), value)
                        )
                if name == TRAINED:
                    records.append((step, name, "wall_s", nan, np.array([wall_start + time.perf_counter() - start])))
        records.append((first_step + sweeps, name, "grid_values", measure.x, u))
    return records


def _sweep_result(records: pd.DataFrame, sweeps: int, planned: int, timing: LoopTiming) -> TrainResult:
    wall = timing.wall_s
    return TrainResult(
        records=records,
        steps=sweeps,
        stopped_by="steps" if sweeps == planned else "max_steps",
        wall_s=wall,
        steps_per_s=sweeps / wall if wall > 0 else float("nan"),
        resumed_from=0,
        planned_steps=planned,
        timings=(timing,),
    )


def _grid_values(records: pd.DataFrame, step: int) -> dict[str, np.ndarray]:
    """Each learner's interior values logged at `step`."""
    rows = records[(records["metric"] == "grid_values") & (records["step"] == step)]
    return {name: g.sort_values("key")["value"].to_numpy() for name, g in rows.groupby("learner")}


def run_seed(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    measure = Measure(cfg)
    jac = cfg["jacobi"]
    handover = min(cfg["hybrid"]["dnn_steps"], ctx.steps(cfg["dnn"]["steps"]))
    dnn = train_dnn(cfg, variant["seed"], ctx, measure, handover)

    sweeps, planned = ctx.steps(jac["max_sweeps"]), jac["max_sweeps"]
    planned_logs = 3 * logging_points(planned, jac["log_every"])  # each solver logs three learners
    watch = Stopwatch()
    zero = np.zeros_like(measure.u)
    at_handover = _grid_values(dnn.records, handover)
    jacobi = sweep_records(
        measure,
        {TRAINED: (zero, True), FROZEN: (zero, False), MEAN: (at_handover[MEAN], False)},
        sweeps,
        jac["omega"],
        jac["log_every"],
        watch=watch,
    )
    jacobi_timing = watch.timing(sweeps, planned, planned_logs)

    dnn_wall = dnn.records.query("metric == 'wall_s' and step == @handover")["value"]
    watch = Stopwatch()
    hybrid = sweep_records(
        measure,
        {name: (at_handover[name], True) for name in (TRAINED, FROZEN, MEAN)},
        sweeps,
        jac["omega"],
        jac["log_every"],
        first_step=handover,
        wall_start=float(dnn_wall.iloc[0]) if len(dnn_wall) else 0.0,
        watch=watch,
    )
    hybrid_timing = watch.timing(sweeps, planned, planned_logs)

    # The opposite control: the solver that goes the other way, in each solver's first stage.
    dnn_as_opposite = dnn.records[dnn.records["learner"] == TRAINED].assign(learner=OPPOSITE)
    jacobi_as_opposite = records_frame([(s, OPPOSITE, m, k, v) for s, name, m, k, v in jacobi if name == TRAINED])
    return combine(
        [
            (
                {"solver": "dnn"},
                dataclasses.replace(dnn, records=pd.concat([dnn.records, jacobi_as_opposite], ignore_index=True)),
            ),
            (
                {"solver": "jacobi"},
                _sweep_result(
                    pd.concat([records_frame(jacobi), dnn_as_opposite], ignore_index=True),
                    sweeps,
                    planned,
                    jacobi_timing,
                ),
            ),
            (
                {"solver": "hybrid"},
                _sweep_result(
                    pd.concat([records_frame(hybrid), jacobi_as_opposite], ignore_index=True),
                    sweeps,
                    planned,
                    hybrid_timing,
                ),
            ),
        ]
    )


run = seeds_in_turn(run_seed)
