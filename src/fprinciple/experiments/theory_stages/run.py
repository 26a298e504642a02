"""theory_stages, the run side — LMXZ19: the suite's own numerical check of the three-stage theorems
of the F-Principle (the paper has no experiment).

MLPs with ReLU, sigmoid and tanh activations are trained by full-batch gradient descent (the
theorems' dynamics: gradient flow) on an Lᵖ loss, p = 2 or 4, with data drawn from a uniform or a
non-uniform density ρ on [−π, π). The target has equal ρ-weighted energy below and above the
cutoff k₀ (``spectral.stages.equal_band_energy_target``), so a share of 1/2 is what a learner
that ignores frequency would carry. Every logged step records, on a uniform periodic measurement
grid with quadrature weights w ∝ ρ, the weighted population loss and the residual's energy
below and above k₀; after training, the three stages are measured from the logged outputs
(``spectral.stages.stage_shares``): initial (step 0 to the first logged step, ``log_every``), intermediate (step
0 to the first logged step where the loss has halved) and final (the last ``final_fraction`` of
the logged run). Per stage the run records the low band's share of the L² loss decrease
(p = 2) or of the output change (p = 4, where the loss does not split over frequencies) and the
baseline: the low band's share of the residual at the stage's start. For the final-stage
theorem it records, over the final window, how the residual decays (``tail_statistics``: the
theorem's hypotheses, checked by ``claims.final_hypotheses``) and the share of the loss's change (or the
output's) above each of ``final_cutoffs`` (its conclusion: the share falls as the cutoff grows).

Controls: the trainer's frozen and mean, and ``opposite`` (``HighBandFirst``): the target's own
two bands fitted in the reverse order, the high band fast and the low band slowly.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch

from ...learners import OPPOSITE
from ...models.mlp import MLP
from ...spectral.dft import uniform_grid
from ...spectral.stages import (
    STAGES,
    band_energy,
    density_quantile_points,
    equal_band_energy_target,
    quadrature_weights,
    share_above,
    stage_shares,
    stage_windows,
    tail_statistics,
    weighted_loss,
)
from ...training import RunContext, TrainResult, TrainSpec, combine
from ...training.controls import Control
from ...training.seeds import Member, batched, train_seeds
from ...training.trainer import records_frame
from .. import seed_jobs
from . import TAIL

DENSITIES = {
    "uniform": lambda x: np.ones_like(x),
    # Smooth and vanishing at ±π, so the periodic DFT sees no jump of the residual at the wrap.
    "bump": lambda x: (1.0 + np.cos(x)) ** 2,
}
# The opposite control's two time scales, as fractions of the run: the high band's residual
# decays 4x faster than the low band's, both to well below the final stage's loss criterion.
HIGH_BAND_TIME, LOW_BAND_TIME = 0.1, 0.4


def runs(cfg: dict) -> dict[str, dict]:
    """One job per density; it trains every activation × loss for every seed."""
    return seed_jobs(cfg, density=cfg["densities"])


class Problem:
    """The measurement grid, the density's weights, the target and the training points."""

    def __init__(self, cfg: dict, density: str):
        t = cfg["target"]
        self.cutoff = t["cutoff"]
        self.low_k, self.high_k = list(t["low"]), list(t["high"])
        self.x = uniform_grid(cfg["grid_points"], -math.pi, math.pi, endpoint=False)
        self.weights = quadrature_weights(DENSITIES[density](self.x))
        self.f = equal_band_energy_target(self.x, self.low_k, self.high_k, self.cutoff, self.weights)
        low, high = self.low_part(self.x), self.high_part(self.x, 1.0)
        self.high_amplitude = float(np.dot(self.f - low, high) / np.dot(high, high))  # f = low + c·high exactly
        if density == "uniform":
            self.train_x = uniform_grid(cfg["n_train"], -math.pi, math.pi, endpoint=False)
        else:
            fine = np.linspace(-math.pi, math.pi, 20 * cfg["n_train"] + 1)
            self.train_x = density_quantile_points(fine, DENSITIES[density](fine), cfg["n_train"])

    def low_part(self, x: np.ndarray) -> np.ndarray:
        return sum(np.sin(k * x) for k in self.low_k)

    def high_part(self, x: np.ndarray, amplitude: float | None = None) -> np.ndarray:
        c = self.high_amplitude if amplitude is None else amplitude
        return c * sum(np.sin(k * x) for k in self.high_k)

    def target(self, x: np.ndarray) -> np.ndarray:
        return self.low_part(x) + self.high_part(x)


class HighBandFirst(Control):
    """The opposite of the F-Principle on the two-band target: at step t it outputs
    (1 − e^{−t/τ_high}) f_high + (1 − e^{−t/τ_low}) f_low, τ_high = 0.1 and τ_low = 0.4 of the run:
    both bands' residuals decay exponentially, the high one 4x faster, so in every stage the low
    band's share falls below its share of the residual, and its loss ends below 1% of the start."""

    def __init__(self, problem: Problem, steps: int):
        super().__init__()
        self.problem = problem
        self.tau_high, self.tau_low = max(HIGH_BAND_TIME * steps, 1.0), max(LOW_BAND_TIME * steps, 1.0)
        self.step = 0

    def at(self, step: int) -> HighBandFirst:
        self.step = step
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        points = x[:, 0].detach().cpu().double().numpy()
        high = (1 - math.exp(-self.step / self.tau_high)) * self.problem.high_part(points)
        low = (1 - math.exp(-self.step / self.tau_low)) * self.problem.low_part(points)
        return torch.as_tensor(high + low, dtype=x.dtype, device=x.device)[:, None]


LOSSES = {2: "mse", 4: "l4"}  # the trainer's name of the mean Lᵖ loss


def train_nets(
    cfg: dict, problem: Problem, activation: str, power: int, seeds: list[int], ctx: RunContext
) -> TrainResult:
    """One net per seed on the Lᵖ loss, logging its grid output, weighted loss and band energies."""
    m = cfg["model"]
    grid_points = torch.as_tensor(problem.x, dtype=torch.float32, device=ctx.device)[:, None]

    def hook(step: int, net: torch.nn.Module, last: bool):
        with torch.no_grad():
            output = net(grid_points)[:, 0].cpu().numpy().astype(np.float64)
        residual = output - problem.f
        energy = band_energy(residual, problem.weights)
        if step == 0:
            yield "target", problem.x, problem.f
        yield "output", problem.x, output
        yield "population_loss", np.nan, weighted_loss(residual, power, problem.weights)
        yield "residual_low", np.nan, energy[: problem.cutoff + 1].sum()
        yield "residual_high", np.nan, energy[problem.cutoff + 1 :].sum()

    opt = cfg["optimizers"][f"l{power}"]
    steps = cfg["steps"]
    lr = opt["lr_by_activation"].get(activation, opt["lr"])
    spec = TrainSpec(steps=steps, lr=lr, optimizer=opt["name"], loss=LOSSES[power], log_every=cfg["log_every"])
    x = torch.as_tensor(problem.train_x, dtype=torch.float32, device=ctx.device)[:, None]
    y = torch.as_tensor(problem.target(problem.train_x), dtype=torch.float32, device=ctx.device)[:, None]
    opposite = HighBandFirst(problem, ctx.steps(steps))
    members = []
    for seed in seeds:
        torch.manual_seed(seed)
        model = MLP(1, 1, m["hidden"], activation, m["init_std"], m["bias"], init=m["init"])
        members.append(Member(seed, model.to(ctx.device), x, y, hooks=[hook], controls={OPPOSITE: opposite}))
    return train_seeds(members, spec, ctx, batched(cfg["ensemble"], ctx.device))


def final_window(
    outputs: pd.DataFrame, loss: np.ndarray, problem: Problem, power: int, final_fraction: float, cutoffs
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The final window's (metric, keys, values): the residual's decay in the low and the high
    band (``TAIL``) and the share above each cutoff of the L² loss's change (p = 2) or of the
    output's change (p = 4)."""
    i0, i1 = stage_windows(loss, final_fraction)["final"]
    window = outputs.to_numpy()[i0 : i1 + 1]
    energy = band_energy(window - problem.f, problem.weights)
    bands = np.stack([energy[:, : problem.cutoff + 1].sum(axis=1), energy[:, problem.cutoff + 1 :].sum(axis=1)], axis=1)
    tail = tail_statistics(outputs.index.to_numpy()[i0 : i1 + 1], bands)
    if power == 2:
        shares = share_above(window[0] - problem.f, window[-1] - problem.f, cutoffs, problem.weights)
    else:
        shares = share_above(window[0], window[-1], cutoffs, problem.weights, change=True)
    return [(f"tail_{name}", np.zeros(1), np.array([tail[name]])) for name in TAIL] + [
        ("final_share_above", np.asarray(cutoffs, dtype=np.float64), shares)
    ]


def stage_records(records: pd.DataFrame, problem: Problem, power: int, final_fraction: float, cutoffs) -> pd.DataFrame:
    """Per seed and learner, the three stages' shares and baselines (key = stage index into
    ``STAGES``) and the final window's metrics (``final_window``); the bulky grid outputs are
    dropped except at step 0 and the last step (for the figure)."""
    frames = []
    for (seed, learner), group in records.groupby(["seed", "learner"], sort=False):
        outputs = group[group["metric"] == "output"].pivot(index="step", columns="key", values="value").sort_index()
        loss = group[group["metric"] == "population_loss"].set_index("step")["value"].sort_index()
        table = stage_shares(
            outputs.index.to_numpy(),
            loss.reindex(outputs.index).to_numpy(),
            outputs.to_numpy(),
            problem.f,
            problem.cutoff,
            problem.weights,
            final_fraction,
        )
        share = table["residual_energy_share"] if power == 2 else table["output_change_share"]
        index = np.arange(len(STAGES), dtype=np.float64)
        last_step = int(group["step"].max())
        rows = [
            (last_step, learner, metric, index, values.to_numpy(dtype=np.float64))
            for metric, values in (
                ("stage_share", share),
                ("stage_baseline", table["baseline"]),
                ("stage_loss_share", table["residual_energy_share"]),
                ("stage_output_share", table["output_change_share"]),
                ("stage_t0", table["t0"]),
                ("stage_t1", table["t1"]),
            )
        ]
        rows += [
            (last_step, learner, metric, keys, values)
            for metric, keys, values in final_window(
                outputs, loss.reindex(outputs.index).to_numpy(), problem, power, final_fraction, cutoffs
            )
        ]
        keep = (group["metric"] != "output") | group["step"].isin([0, last_step])
        frames += [group[keep], records_frame(rows).assign(seed=seed)]
    return pd.concat(frames, ignore_index=True)


def run(cfg: dict, variant: dict, ctx: RunContext) -> TrainResult:
    problem = Problem(cfg, variant["density"])
    parts = []
    for activation in cfg["activations"]:
        for power in cfg["losses"]:
            result = train_nets(cfg, problem, activation, power, variant["seeds"], ctx.part(f"{activation}-L{power}"))
            result.records = stage_records(result.records, problem, power, cfg["final_fraction"], cfg["final_cutoffs"])
            parts.append(({"activation": activation, "power": power}, result))
    return combine(parts)
